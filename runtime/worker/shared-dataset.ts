import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data/index.js";

/** A data set placed in shared memory once, read by every replica (never copied per step). */
export interface SharedDataset {
  readonly x: SharedArrayBuffer;
  readonly y: SharedArrayBuffer;
  readonly yIsInt: boolean;
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly labelShape: readonly number[];
}

/** Copies a data set into shared memory once, so replicas read their rows without any per-step copy. */
export function shareDataset(ds: Dataset): SharedDataset {
  const x = new SharedArrayBuffer(ds.x.byteLength);
  new Float32Array(x).set(ds.x);
  const y = new SharedArrayBuffer(ds.y.byteLength);
  if (ds.y instanceof Int32Array) new Int32Array(y).set(ds.y);
  else new Float32Array(y).set(ds.y);
  return {
    x,
    y,
    yIsInt: ds.y instanceof Int32Array,
    count: ds.count,
    sampleShape: ds.sampleShape,
    labelShape: ds.labelShape,
  };
}

/** A data set view over shared memory. */
export interface DataView {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly labelShape: readonly number[];
  readonly sampleSize: number;
  readonly labelSize: number;
}

export function viewDataset(ds: SharedDataset): DataView {
  const sampleSize = ds.sampleShape.reduce((a, b) => a * b, 1);
  const labelSize = ds.labelShape.reduce((a, b) => a * b, 1);
  return {
    x: new Float32Array(ds.x),
    y: ds.yIsInt ? new Int32Array(ds.y) : new Float32Array(ds.y),
    count: ds.count,
    sampleShape: ds.sampleShape,
    labelShape: ds.labelShape,
    sampleSize,
    labelSize,
  };
}

/**
 * Rows lo..hi of `indices` (of the data set itself when `indices` is null) as tensors: samples
 * `[rows, ...sampleShape]` and labels as stored, `[rows, ...labelShape]` (the loss shapes them like the output).
 */
export function gatherRows(
  data: DataView,
  indices: ArrayLike<number> | null,
  lo: number,
  hi: number,
): [tf.Tensor, tf.Tensor] {
  const rows = hi - lo;
  const x = new Float32Array(rows * data.sampleSize);
  const y =
    data.y instanceof Int32Array
      ? new Int32Array(rows * data.labelSize)
      : new Float32Array(rows * data.labelSize);
  for (let r = 0; r < rows; r++) {
    const i = indices === null ? lo + r : indices[lo + r]!;
    x.set(data.x.subarray(i * data.sampleSize, (i + 1) * data.sampleSize), r * data.sampleSize);
    y.set(data.y.subarray(i * data.labelSize, (i + 1) * data.labelSize), r * data.labelSize);
  }
  const yDtype = y instanceof Int32Array ? "int32" : "float32";
  return [tf.tensor(x, [rows, ...data.sampleShape]), tf.tensor(y, [rows, ...data.labelShape], yDtype)];
}
