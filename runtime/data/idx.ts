import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import {
  checkIdxPair,
  IDX_UNSIGNED_BYTE,
  idxClassLabels,
  type IdxHeader,
  isGzip,
  parseIdxHeader,
  readIdxValues,
} from "../../compiler/data-formats/idx-format.js";
import { DataError, asDataError } from "./data-error.js";
import type { Dataset } from "./dataset.js";
import { fitToInput } from "./fit-shape.js";

interface IdxArray {
  readonly shape: readonly number[];
  readonly values: Float64Array;
  readonly type: number;
  readonly header: IdxHeader;
}

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
  if (isGzip(bytes)) {
    try {
      return gunzipSync(bytes);
    } catch (error) {
      throw new DataError(`${file}: corrupt gzip data: ${(error as Error).message}`, file);
    }
  }
  return bytes;
}

/** Reads one whole IDX file (compiler/data-formats/idx-format.ts), gzipped or not. */
export async function readIdx(file: string, expectedDims: number): Promise<IdxArray> {
  const bytes = await readMaybeGzipped(file);
  return asDataError(() => {
    const header = parseIdxHeader(bytes, file, expectedDims);
    return { shape: header.shape, values: readIdxValues(bytes, header), type: header.type, header };
  });
}

/**
 * `idx(images, labels)`: images (unsigned bytes scaled to [0, 1]) of any size, and integer class labels.
 * `labels: false` (`target: input`) leaves the label file unread and the labels zero.
 */
export async function loadIdx(
  images: string,
  labels: string,
  inputShape: readonly number[],
  options: { readonly labels: boolean } = { labels: true },
): Promise<Dataset> {
  const [img, lab] = await Promise.all([readIdx(images, 3), options.labels ? readIdx(labels, 1) : null]);
  const count = img.shape[0]!;
  const { y, classes } = asDataError(() => {
    if (lab === null) return { y: new Int32Array(count), classes: 0 };
    checkIdxPair(img.header, lab.header);
    const classLabels = idxClassLabels(lab.values, lab.header);
    return { y: classLabels.labels, classes: classLabels.classes };
  });
  const sampleShape = fitToInput(img.shape.slice(1), inputShape, `idx file ${images}`, { path: images });
  const scale = img.type === IDX_UNSIGNED_BYTE ? 1 / 255 : 1;
  const x = new Float32Array(img.values.length);
  for (let i = 0; i < x.length; i++) x[i] = img.values[i]! * scale;
  return {
    x,
    y,
    count,
    sampleShape,
    labelShape: [],
    numClasses: classes,
    description: `idx(${images}, ${labels})`,
  };
}
