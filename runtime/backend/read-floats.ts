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

/** tfjs-backend-wasm's own reader of a tensor's place in its heap (public on the backend, not in tfjs's types). */
interface HeapBackend {
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array;
}

/**
 * A view of a float32 tensor in wasm's heap (the wasm backend only): valid only until tfjs next allocates, since
 * the heap may then move to a new buffer, so read it before making any tensor.
 */
export function heapView(tensor: tf.TensorInfo): Float32Array {
  return (tf.backend() as unknown as HeapBackend).typedArrayFromHeap(tensor);
}

/**
 * The values of float32 tensors to be read at once, without a copy where the backend allows: on wasm, views of
 * the tensors in wasm's heap (a new array per gradient per step was a copy of every gradient, and the garbage
 * it made cost the seed MLP 4–8% of its step). A view is valid only until tfjs next allocates, since a growing
 * heap moves to a new buffer: the returned function makes fresh views (cheaply) at each call, and the tensors
 * must stay alive while they are read. Elsewhere, `readFloats`'s arrays, read once.
 */
export async function floatViews(tensors: readonly tf.Tensor[]): Promise<() => Float32Array[]> {
  if (tf.getBackend() === "wasm" && process.env.MGPUC_ASYNC_READS !== "1") {
    return () => tensors.map(heapView);
  }
  const arrays = await readFloats(tensors);
  return () => arrays;
}
