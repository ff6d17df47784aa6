import { DataFormatError } from "../../compiler/data-formats/format-error.js";

/**
 * Data that cannot be read: a missing file, a wrong magic number, a truncated file, a bad CSV cell, a shape the
 * model's input cannot take. The CLI prints `message` (which already names the path and the line or byte
 * offset) and exits 3; it is never a stack trace.
 */
export class DataError extends Error {
  override readonly name = "DataError";

  constructor(
    message: string,
    /** The file at fault, when there is one. */
    readonly path?: string,
    /** 1-based line (CSV) where the problem is. */
    readonly line?: number,
    /** Byte offset (IDX) where the problem is. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** Runs a parse of the shared file formats, turning its `DataFormatError` into the runtime's `DataError`. */
export function asDataError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof DataFormatError)
      throw new DataError(error.message, error.path, error.line, error.offset);
    throw error;
  }
}
