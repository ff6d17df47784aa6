import * as tf from "@tensorflow/tfjs";

/**
 * `UnsortedSegmentSum` for the wasm backend, which lacks it: the gradient of a gather, so of `embedding`
 * (tfjs-layers' Embedding is a gather of its table rows; its gradient sums each row's upstream gradients).
 * Without it an embedding model cannot train on wasm at all. Rows of `x` are summed into segment
 * `segmentIds[i]` in float64 and read back as float32, one pass over the data.
 */
export function registerWasmSegmentSum(): void {
  if (tf.getKernel(tf.UnsortedSegmentSum, "wasm") !== undefined) return;
  tf.registerKernel({
    kernelName: tf.UnsortedSegmentSum,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) => {
      const { x, segmentIds } = inputs as unknown as { x: tf.Tensor; segmentIds: tf.Tensor };
      const segments = (attrs as unknown as { numSegments: number }).numSegments;
      const rows = segmentIds.size;
      const width = x.size / Math.max(1, x.shape[0]!);
      const data = x.dataSync();
      const ids = segmentIds.dataSync();
      const sums = new Float64Array(segments * width);
      for (let r = 0; r < rows; r++) {
        const id = ids[r]!;
        // Keras semantics: an id outside [0, segments) contributes nothing.
        if (id < 0 || id >= segments) continue;
        const from = r * width;
        const to = id * width;
        for (let k = 0; k < width; k++) sums[to + k]! += data[from + k]!;
      }
      return tf.tensor(Float32Array.from(sums), [segments, ...x.shape.slice(1)], x.dtype);
    },
  });
}
