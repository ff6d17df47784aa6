import * as tf from "@tensorflow/tfjs";

/** tfjs-core's `NamedTensor` (what `optimizer.getWeights()` gives), which the tfjs bundle does not re-export. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** One named float32 tensor as plain data (optimizer slots: `dense/kernel/m`, adam's `iter`...). */
export interface NamedArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export type NamedArrays = readonly NamedArray[];

/** Reads named tensors (`optimizer.getWeights()`) into plain arrays. */
export function namedArraysFromTensors(tensors: readonly NamedTensor[]): NamedArray[] {
  return tensors.map(({ name, tensor }) => ({
    name,
    shape: [...tensor.shape],
    data: Float32Array.from(tensor.dataSync()),
  }));
}

/** Named tensors for `optimizer.setWeights(...)`; the caller disposes them. */
export function namedArraysToTensors(arrays: NamedArrays): NamedTensor[] {
  return arrays.map(({ name, shape, data }) => ({ name, tensor: tf.tensor(data, [...shape], "float32") }));
}

/** An optimizer's whole state (its slots and iteration count) as plain arrays, for a checkpoint. */
export async function optimizerState(optimizer: tf.Optimizer): Promise<NamedArray[]> {
  const weights = await optimizer.getWeights();
  const arrays = namedArraysFromTensors(weights);
  return arrays;
}

/** Restores what `optimizerState` captured; an optimizer with no saved slots is left as it is. */
export async function restoreOptimizerState(optimizer: tf.Optimizer, arrays: NamedArrays): Promise<void> {
  if (arrays.length === 0) return;
  const tensors = namedArraysToTensors(arrays);
  await optimizer.setWeights(tensors);
}

/** `optimizer.json` (names, shapes, offsets) + `optimizer.bin` (the float32 values back to back). */
export function encodeNamedArrays(arrays: NamedArrays): { json: string; bin: Uint8Array } {
  const total = arrays.reduce((n, a) => n + a.data.length, 0);
  const bin = new Float32Array(total);
  const entries: { name: string; shape: readonly number[]; offset: number; length: number }[] = [];
  let offset = 0;
  for (const a of arrays) {
    bin.set(a.data, offset);
    entries.push({ name: a.name, shape: a.shape, offset, length: a.data.length });
    offset += a.data.length;
  }
  return {
    json: JSON.stringify({ dtype: "float32", arrays: entries }, null, 1),
    bin: new Uint8Array(bin.buffer),
  };
}

interface Entry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** The inverse of `encodeNamedArrays`; throws a plain Error on inconsistent input (the caller locates it). */
export function decodeNamedArrays(json: string, bin: Uint8Array): NamedArray[] {
  const parsed = JSON.parse(json) as { arrays?: Entry[] };
  if (!Array.isArray(parsed.arrays)) throw new Error("no 'arrays' list");
  if (bin.byteLength % 4 !== 0) throw new Error(`${bin.byteLength} bytes is not a whole number of float32s`);
  const values = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return parsed.arrays.map((e) => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (size !== e.length || e.offset < 0 || e.offset + e.length > values.length)
      throw new Error(
        `array '${e.name}' does not fit the data (${e.offset}+${e.length} of ${values.length})`,
      );
    return { name: e.name, shape: e.shape, data: values.slice(e.offset, e.offset + e.length) };
  });
}
