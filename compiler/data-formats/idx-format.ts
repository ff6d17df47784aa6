import { DataFormatError } from "./format-error.js";

/**
 * The IDX file format (http://yann.lecun.com/exdb/mnist/), as pure functions over bytes: magic `00 00 TYPE NDIMS`,
 * NDIMS big-endian uint32 sizes, then the values, big-endian. Both the runtime's loader and the compiler's
 * data check read IDX files through these, so the format is read, and its errors worded, in one place.
 */

/** Element types: code → [bytes per value, reader]. */
const TYPES = new Map<number, readonly [number, (view: DataView, at: number) => number]>([
  [0x08, [1, (v, at) => v.getUint8(at)]],
  [0x09, [1, (v, at) => v.getInt8(at)]],
  [0x0b, [2, (v, at) => v.getInt16(at, false)]],
  [0x0c, [4, (v, at) => v.getInt32(at, false)]],
  [0x0d, [4, (v, at) => v.getFloat32(at, false)]],
  [0x0e, [8, (v, at) => v.getFloat64(at, false)]],
]);

/** Unsigned bytes: images stored as 0-255, which loaders scale to [0, 1]. */
export const IDX_UNSIGNED_BYTE = 0x08;

export interface IdxHeader {
  readonly file: string;
  /** The element type code (0x08 unsigned byte, ..., 0x0e float64). */
  readonly type: number;
  readonly shape: readonly number[];
  /** Where the values start. */
  readonly headerBytes: number;
  /** The whole file's length that the header implies. */
  readonly totalBytes: number;
}

/** gzip's magic number: IDX files are often shipped gzipped (`train-images-idx3-ubyte.gz`). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function fail(file: string, message: string, offset: number): never {
  throw new DataFormatError(`${file}: ${message} (at byte offset ${offset})`, file, undefined, offset);
}

/**
 * Reads the header from the file's first bytes (at least the header; the rest may be absent). `expectedDims`:
 * 3 for images (count, rows, columns), 1 for labels. Throws a DataFormatError naming the byte offset.
 */
export function parseIdxHeader(bytes: Uint8Array, file: string, expectedDims: number): IdxHeader {
  if (bytes.length < 4) fail(file, `too short for an IDX header (${bytes.length} bytes)`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = TYPES.get(bytes[2]!);
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined)
    fail(file, `bad magic number 0x${magic.toString(16).padStart(8, "0")}, not an IDX file`, 0);
  const dims = bytes[3]!;
  if (dims !== expectedDims)
    fail(
      file,
      `expected an IDX file with ${expectedDims} dimension(s), found ${dims} (magic 0x${magic.toString(16)})`,
      3,
    );
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < headerBytes)
    fail(file, `truncated header: ${dims} sizes need ${headerBytes} bytes`, bytes.length);
  const shape: number[] = [];
  for (let d = 0; d < dims; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  return { file, type: bytes[2]!, shape, headerBytes, totalBytes: headerBytes + count * type![0] };
}

/** Throws unless the file is exactly as long as its header says. */
export function checkIdxLength(header: IdxHeader, byteLength: number): void {
  const expected = header.totalBytes;
  if (byteLength !== expected)
    fail(
      header.file,
      `${byteLength < expected ? "truncated" : "trailing bytes"}: shape [${header.shape.join(", ")}] needs ` +
        `${expected} bytes, the file has ${byteLength}`,
      Math.min(byteLength, expected),
    );
}

/** Every value of a whole (decompressed) file, as numbers; checks the length first. */
export function readIdxValues(bytes: Uint8Array, header: IdxHeader): Float64Array {
  checkIdxLength(header, bytes.length);
  const [size, read] = TYPES.get(header.type)!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float64Array(header.shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = read(view, header.headerBytes + i * size);
  return values;
}

/** Throws unless there is one label per image. */
export function checkIdxPair(images: IdxHeader, labels: IdxHeader): void {
  const count = images.shape[0]!;
  if (labels.shape[0] !== count)
    throw new DataFormatError(
      `${labels.file} has ${labels.shape[0]} labels but ${images.file} has ${count} images`,
      labels.file,
    );
}

/** Labels as class indices (integers >= 0) and their count, max + 1; throws at the first that is not one. */
export function idxClassLabels(
  values: Float64Array,
  header: IdxHeader,
): { labels: Int32Array; classes: number } {
  const labels = new Int32Array(values.length);
  let max = -1;
  for (let i = 0; i < values.length; i++) {
    const label = values[i]!;
    if (!Number.isInteger(label) || label < 0) {
      const offset = header.headerBytes + i * (TYPES.get(header.type)?.[0] ?? 1);
      throw new DataFormatError(
        `${header.file}: label ${label} of sample ${i} is not a class index`,
        header.file,
        undefined,
        offset,
      );
    }
    labels[i] = label;
    if (label > max) max = label;
  }
  return { labels, classes: max + 1 };
}
