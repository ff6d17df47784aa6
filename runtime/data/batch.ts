import type { Batch, Dataset } from "./dataset.js";
import { labelSize, sampleSize } from "./dataset.js";

/** Copies the samples at `indices` (in that order) into fresh arrays, ready to become one batch tensor. */
export function gatherBatch(ds: Dataset, indices: ArrayLike<number>): Batch {
  const size = sampleSize(ds);
  const labels = labelSize(ds);
  const count = indices.length;
  const x = new Float32Array(count * size);
  const y = ds.y instanceof Int32Array ? new Int32Array(count * labels) : new Float32Array(count * labels);
  for (let i = 0; i < count; i++) {
    const at = indices[i]!;
    if (!(at >= 0 && at < ds.count)) throw new RangeError(`sample index ${at} is outside 0..${ds.count - 1}`);
    x.set(ds.x.subarray(at * size, (at + 1) * size), i * size);
    y.set(ds.y.subarray(at * labels, (at + 1) * labels), i * labels);
  }
  return { x, y, count };
}
