import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import type * as Zlib from "node:zlib";
import { isGzip } from "../data-formats/idx-format.js";

/** The first bytes of a file (decompressed when gzipped), and whether they are all of it. */
export interface FileHead {
  readonly bytes: Uint8Array;
  /** True when `bytes` is the whole (decompressed) file. */
  readonly complete: boolean;
  /** The file's own length, for a length check of an uncompressed file; undefined when gzipped. */
  readonly fileBytes: number | undefined;
}

/** Why a file could not be read at all. */
export class UnreadableFile extends Error {
  override readonly name = "UnreadableFile";
  constructor(
    message: string,
    readonly missing: boolean,
  ) {
    super(message);
  }
}

/**
 * At least `wanted` bytes from the start of `file` (`Infinity`: all of it), decompressed when it is gzipped and
 * `gunzip` is set (IDX files, as the runtime reads them). Cheap whatever the file's size: a gzipped file is
 * inflated only as far as its first compressed bytes go, with the output capped, so a small compressed head of a
 * huge file cannot blow up memory.
 */
export function readHead(file: string, wanted: number, options: { gunzip: boolean }): FileHead {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFile(`cannot read ${file}: ${code ?? String(error)}`, code === "ENOENT");
  }
  try {
    const size = fstatSync(fd).size;
    const first = readPrefix(fd, Math.min(size, 2));
    if (!options.gunzip || !isGzip(first)) {
      const bytes = readPrefix(fd, Math.min(size, wanted));
      return { bytes, complete: bytes.length === size, fileBytes: size };
    }
    return { ...inflateHead(fd, size, wanted, file), fileBytes: undefined };
  } finally {
    closeSync(fd);
  }
}

function readPrefix(fd: number, length: number): Uint8Array {
  const bytes = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, bytes, done, length - done, done);
    if (n === 0) break;
    done += n;
  }
  return bytes.subarray(0, done);
}

/** Deflate expands at most about 1032:1; 16 MiB bounds the output of the compressed heads tried below. */
const MAX_INFLATED = 16 << 20;

function inflateHead(
  fd: number,
  size: number,
  wanted: number,
  file: string,
): { bytes: Uint8Array; complete: boolean } {
  // Growing compressed prefixes: the first that inflates to `wanted` bytes is enough. The whole file, when it is
  // small, is inflated normally, so its end is checked too.
  for (let compressed = wanted === Infinity ? size : 256; ; compressed *= 16) {
    const whole = compressed >= size;
    const head = readPrefix(fd, Math.min(size, compressed));
    // node:zlib is loaded here, on first use: most commands read no gzipped file, and loading it is 3–4 ms of
    // every start (issue 14).
    const { constants, gunzipSync } = createRequire(import.meta.url)("node:zlib") as typeof Zlib;
    try {
      const bytes = whole
        ? gunzipSync(head)
        : gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_INFLATED });
      if (whole || bytes.length >= wanted) return { bytes, complete: whole };
    } catch (error) {
      throw new UnreadableFile(`${file}: corrupt gzip data: ${(error as Error).message}`, false);
    }
  }
}
