import { CounterRandom } from "../../runtime/data/index.js";
import type { Dataset } from "../../runtime/data/index.js";

/**
 * What each sample's labels are, the forms the data sources give:
 * - `classes`: one integer class id (mnist, idx, synthetic, a CSV of whole numbers); `Int32Array`, shape `[]`.
 * - `binary`: one 0/1 integer, as a CSV label column of 0s and 1s is read.
 * - `regression`: float values of `shape` (`[]` for one value, `[4, 4]` for an image-shaped target).
 * - `multi-binary`: `shape` floats, each 0 or 1 (multi-label).
 * - `one-hot`: `classes` floats, one of them 1.
 * - `tokens`: the samples are `[T]` token ids below `vocabulary`, the labels the next token of each position.
 */
export type LabelSpec =
  | { readonly kind: "classes" | "one-hot"; readonly classes: number }
  | { readonly kind: "binary" }
  | { readonly kind: "regression" | "multi-binary"; readonly shape: readonly number[] }
  | { readonly kind: "tokens"; readonly vocabulary: number };

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A deterministic data set whose labels depend on the samples (so training has something to learn): samples
 * uniform in [-1, 1) plus a label-dependent mean for classes; regression targets a fixed linear map of the
 * sample plus noise.
 */
export function labelledData(
  count: number,
  sampleShape: readonly number[],
  labels: LabelSpec,
  seed = 1,
  /** Samples are token ids below this (an `int32` input feeding `embedding`), the labels as `labels` says. */
  vocabulary?: number,
): Dataset {
  const random = new CounterRandom(seed, "labelled-data");
  const n = size(sampleShape);
  const x = new Float32Array(count * n);
  let y: Int32Array | Float32Array;
  let labelShape: readonly number[] = [];
  let numClasses = 0;
  switch (labels.kind) {
    case "tokens": {
      const T = size(sampleShape);
      y = new Int32Array(count * T);
      labelShape = [T];
      numClasses = labels.vocabulary;
      for (let i = 0; i < count; i++) {
        // A stream with structure: each next token is the current one plus a per-sample step.
        const start = random.below(i * 2, labels.vocabulary);
        const stride = 1 + random.below(i * 2 + 1, 3);
        for (let t = 0; t <= T; t++) {
          const token = (start + t * stride) % labels.vocabulary;
          if (t < T) x[i * T + t] = token;
          if (t > 0) y[i * T + t - 1] = token;
        }
      }
      return { x, y, count, sampleShape, labelShape, numClasses, description: "labelled test data" };
    }
    case "classes":
    case "one-hot":
      numClasses = labels.classes;
      break;
    default:
      break;
  }
  const classOf = (i: number): number => (labels.kind === "binary" ? i % 2 : i % Math.max(1, numClasses));
  for (let i = 0; i < count; i++) {
    const c = classOf(i);
    for (let j = 0; j < n; j++) {
      const mean =
        labels.kind === "classes" || labels.kind === "one-hot" || labels.kind === "binary"
          ? 0.5 * (((j * 7 + c * 13) % 11) / 11 - 0.5)
          : 0;
      x[i * n + j] = mean + 2 * random.uniform(i * n + j) - 1;
    }
  }
  const features = Float32Array.from(x);
  if (vocabulary !== undefined)
    x.forEach(
      (v, k) => (x[k] = Math.min(vocabulary - 1, Math.max(0, Math.floor(((v + 1.5) / 3) * vocabulary)))),
    );
  switch (labels.kind) {
    case "classes":
      y = Int32Array.from({ length: count }, (_, i) => classOf(i));
      break;
    case "binary":
      y = Int32Array.from({ length: count }, (_, i) => classOf(i));
      break;
    case "one-hot":
      labelShape = [labels.classes];
      y = new Float32Array(count * labels.classes);
      for (let i = 0; i < count; i++) y[i * labels.classes + classOf(i)] = 1;
      break;
    case "regression":
    case "multi-binary": {
      labelShape = labels.shape;
      const m = size(labels.shape);
      y = new Float32Array(count * m);
      const noise = new CounterRandom(seed, "labelled-noise");
      for (let i = 0; i < count; i++) {
        for (let k = 0; k < m; k++) {
          // A fixed linear map of the sample: target k weighs feature j by a pattern in (j, k).
          let v = 0;
          for (let j = 0; j < n; j++) v += ((((j + 3 * k) % 5) - 2) / n) * features[i * n + j]!;
          v += 0.05 * (noise.uniform(i * m + k) - 0.5);
          y[i * m + k] = labels.kind === "regression" ? 2 * v + 1 : v > 0 ? 1 : 0;
        }
      }
      break;
    }
  }
  return { x, y: y!, count, sampleShape, labelShape, numClasses, description: "labelled test data" };
}
