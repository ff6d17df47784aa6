/**
 * A data file that does not follow its format: a wrong magic number, a truncated file, a bad CSV cell, a missing
 * label column. The message already names the file and the line (CSV) or byte offset (IDX). The runtime turns
 * it into a `DataError` (exit 3); `check-data` into a diagnostic at the `data:` value.
 */
export class DataFormatError extends Error {
  override readonly name = "DataFormatError";

  constructor(
    message: string,
    /** The file at fault. */
    readonly path: string,
    /** 1-based line (CSV) where the problem is. */
    readonly line?: number,
    /** Byte offset (IDX) where the problem is. */
    readonly offset?: number,
  ) {
    super(message);
  }
}
