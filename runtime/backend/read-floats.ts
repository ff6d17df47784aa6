import * as tf from "@tensorflow/tfjs";

/**
 * Whether this thread's backend reads tensors back synchronously. tfjs-backend-webgpu's `dataSync` draws
 * through an OffscreenCanvas, which Node lacks, and Dawn's Node binding has no blocking read: there, every
 * read is `await data()`.
 */
export function readsSync(): boolean {
  return tf.getBackend() !== "webgpu";
}

/**
 * The values of float32 tensors, in order, each a fresh array: read synchronously where the backend can (no
 * event-loop turn per tensor), else awaited together.
 */
export async function readFloats(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  if (readsSync()) return tensors.map((t) => t.dataSync() as Float32Array);
  return (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
}
