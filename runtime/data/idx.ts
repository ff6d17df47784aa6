import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { DataError } from "./data-error.js";
import type { Dataset } from "./dataset.js";
import { fitToInput } from "./fit-shape.js";

interface IdxArray {
  readonly shape: readonly number[];
  readonly values: Float64Array;
  readonly type: number;
}

/** IDX element types: code → [bytes, reader]. */
const TYPES = new Map<number, [number, (view: DataView, at: number) => number]>([
  [0x08, [1, (v, at) => v.getUint8(at)]],
  [0x09, [1, (v, at) => v.getInt8(at)]],
  [0x0b, [2, (v, at) => v.getInt16(at, false)]],
  [0x0c, [4, (v, at) => v.getInt32(at, false)]],
  [0x0d, [4, (v, at) => v.getFloat32(at, false)]],
  [0x0e, [8, (v, at) => v.getFloat64(at, false)]],
]);

async function readMaybeGzipped(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(
      code === "ENOENT" ? `data file not found: ${file}` : `cannot read ${file}: ${code ?? String(error)}`,
      file,
    );
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (error) {
      throw new DataError(`${file}: corrupt gzip data: ${(error as Error).message}`, file);
    }
  }
  return bytes;
}

/** Parses one IDX file (http://yann.lecun.com/exdb/mnist/): magic `00 00 TYPE NDIMS`, big-endian sizes, data. */
export async function readIdx(file: string, expectedDims: number): Promise<IdxArray> {
  const bytes = await readMaybeGzipped(file);
  const fail = (message: string, offset: number): never => {
    throw new DataError(`${file}: ${message} (at byte offset ${offset})`, file, undefined, offset);
  };
  if (bytes.length < 4) fail(`too short for an IDX header (${bytes.length} bytes)`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = TYPES.get(bytes[2]!);
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined)
    fail(`bad magic number 0x${magic.toString(16).padStart(8, "0")}, not an IDX file`, 0);
  const dims = bytes[3]!;
  if (dims !== expectedDims)
    fail(
      `expected an IDX file with ${expectedDims} dimension(s), found ${dims} (magic 0x${magic.toString(16)})`,
      3,
    );
  const headerEnd = 4 + 4 * dims;
  if (bytes.length < headerEnd) fail(`truncated header: ${dims} sizes need ${headerEnd} bytes`, bytes.length);
  const shape: number[] = [];
  for (let d = 0; d < dims; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const [size, read] = type!;
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerEnd + count * size;
  if (bytes.length !== expected)
    fail(
      `${bytes.length < expected ? "truncated" : "trailing bytes"}: shape [${shape.join(", ")}] needs ` +
        `${expected} bytes, the file has ${bytes.length}`,
      Math.min(bytes.length, expected),
    );
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = read(view, headerEnd + i * size);
  return { shape, values, type: bytes[2]! };
}

/** `idx(images, labels)`: MNIST-format images (unsigned bytes scaled to [0, 1]) and integer labels. */
export async function loadIdx(
  images: string,
  labels: string,
  inputShape: readonly number[],
): Promise<Dataset> {
  const [img, lab] = await Promise.all([readIdx(images, 3), readIdx(labels, 1)]);
  const count = img.shape[0]!;
  if (lab.shape[0] !== count)
    throw new DataError(`${labels} has ${lab.shape[0]} labels but ${images} has ${count} images`, labels);
  const sampleShape = fitToInput(img.shape.slice(1), inputShape, `idx file ${images}`, { path: images });
  const scale = img.type === 0x08 ? 1 / 255 : 1;
  const x = new Float32Array(img.values.length);
  for (let i = 0; i < x.length; i++) x[i] = img.values[i]! * scale;
  const y = new Int32Array(count);
  let maxLabel = -1;
  for (let i = 0; i < count; i++) {
    const label = lab.values[i]!;
    if (!Number.isInteger(label) || label < 0)
      throw new DataError(
        `${labels}: label ${label} of sample ${i} is not a class index`,
        labels,
        undefined,
        8 + i,
      );
    y[i] = label;
    maxLabel = Math.max(maxLabel, label);
  }
  return {
    x,
    y,
    count,
    sampleShape,
    labelShape: [],
    numClasses: maxLabel + 1,
    description: `idx(${images}, ${labels})`,
  };
}
