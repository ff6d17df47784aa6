import * as tf from "@tensorflow/tfjs";
import type { SharedDataset } from "../train/protocol.js";
import { viewDataset } from "../train/replica.js";

export type DataView = ReturnType<typeof viewDataset>;
export { viewDataset };
export type { SharedDataset };

/** Rows lo..hi of the global batch `indices` as (x, y) tensors. */
export function gatherRows(
  data: DataView,
  indices: ArrayLike<number>,
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
    const i = indices[lo + r]!;
    x.set(data.x.subarray(i * data.sampleSize, (i + 1) * data.sampleSize), r * data.sampleSize);
    y.set(data.y.subarray(i * data.labelSize, (i + 1) * data.labelSize), r * data.labelSize);
  }
  const yDtype = y instanceof Int32Array ? "int32" : "float32";
  return [tf.tensor(x, [rows, ...data.sampleShape]), tf.tensor(y, [rows, ...data.labelShape], yDtype)];
}
