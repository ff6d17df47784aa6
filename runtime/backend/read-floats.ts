import * as tf from "@tensorflow/tfjs";

/**
 * Whether this thread's backend reads tensors back synchronously. tfjs-backend-webgpu's `dataSync` draws
 * through an OffscreenCanvas, which Node lacks, and Dawn's Node binding has no blocking read: there, every
 * read is `await data()`. `MGPUC_ASYNC_READS=1` takes the asynchronous paths on any backend, so that the
 * tests run them on wasm, where they are fast and exact.
 */
export function readsSync(): boolean {
  return tf.getBackend() !== "webgpu" && process.env.MGPUC_ASYNC_READS !== "1";
}

/**
 * The values of float32 tensors, in order, read synchronously where the backend can (no event-loop turn per
 * tensor), else awaited together. To be read only: on the cpu backend an array may be the tensor's own storage.
 */
export async function readFloats(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  if (readsSync()) return tensors.map((t) => t.dataSync() as Float32Array);
  return (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
}

/** `readFloats`, each array a fresh copy this caller owns (to keep, change or transfer). */
export async function copyFloats(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  if (readsSync()) return tensors.map((t) => Float32Array.from(t.dataSync()));
  // `data()` resolves with a new array on every backend that reads asynchronously.
  return (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
}
