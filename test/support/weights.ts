import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

/** One weight tensor: its shape and its values, row-major. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** Every weight of a model, by its Keras name (`dense/kernel`). */
export type Weights = ReadonlyMap<string, Tensor>;

/**
 * The weights of an mgpuc checkpoint: a run folder (its `latest` file names the checkpoint) or a checkpoint
 * folder, read from `model.json`'s weights manifest and its float32 files directly, not through the runtime.
 */
export function readCheckpointWeights(folder: string): Weights {
  const latest = join(folder, "latest");
  const dir = existsSync(latest) ? join(folder, readFileSync(latest, "utf8").trim()) : folder;
  const manifest = (
    JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as {
      weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype?: string }[] }[];
    }
  ).weightsManifest;
  const out = new Map<string, Tensor>();
  for (const group of manifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(dir, p))));
    let offset = 0;
    for (const w of group.weights) {
      if ((w.dtype ?? "float32") !== "float32") throw new Error(`${dir}: ${w.name} is ${w.dtype}`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = bytes.readFloatLE(offset + 4 * i);
      out.set(w.name, { shape: w.shape, values });
      offset += 4 * count;
    }
    if (offset !== bytes.length)
      throw new Error(`${dir}: ${bytes.length - offset} bytes left after the weights`);
  }
  return out;
}

/** The file an emitted torch program writes under `MGPUC_WEIGHTS_OUT`: {name: {shape, values}}, torch layout. */
export function readTorchWeights(file: string): Weights {
  const json = JSON.parse(readFileSync(file, "utf8")) as Record<
    string,
    { shape: number[]; values: number[] }
  >;
  return new Map(Object.entries(json).map(([name, t]) => [name, { shape: t.shape, values: t.values }]));
}

/**
 * A Keras-layout checkpoint in torch's layout: kernels [in, out] → [out, in] and [kh, kw, in, out] →
 * [out, in, kh, kw] (the inverse of the torch program's `keras_weights`); other weights keep their layout.
 */
export function kerasToTorch(weights: Weights): Weights {
  const out = new Map<string, Tensor>();
  for (const [name, t] of weights) {
    // Attention kernels ([d, heads, dim], [heads, dim, d]) are kept in Keras's layout by the torch program too.
    if (!name.endsWith("/kernel") || t.shape.length < 2 || t.shape.length === 3) {
      out.set(name, t);
      continue;
    }
    if (t.shape.length !== 2 && t.shape.length !== 4)
      throw new Error(`${name}: a ${t.shape.length}-d kernel`);
    const [kh, kw, cin, cout] = t.shape.length === 2 ? [1, 1, t.shape[0]!, t.shape[1]!] : t.shape;
    const values = new Float64Array(t.values.length);
    for (let y = 0; y < kh!; y++)
      for (let x = 0; x < kw!; x++)
        for (let i = 0; i < cin!; i++)
          for (let o = 0; o < cout!; o++)
            values[((o * cin! + i) * kh! + y) * kw! + x] = t.values[((y * kw! + x) * cin! + i) * cout! + o]!;
    out.set(name, { shape: t.shape.length === 2 ? [cout!, cin!] : [cout!, cin!, kh!, kw!], values });
  }
  return out;
}

/** The largest |a − b| over every element of every tensor; both must hold the same names and shapes. */
export function maxWeightDifference(a: Weights, b: Weights, what: string): number {
  expect(a.size, `${what}: no weights to compare`).toBeGreaterThan(0);
  expect([...a.keys()].sort(), `${what}: weight names`).toEqual([...b.keys()].sort());
  let max = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    expect(x.shape, `${what}: ${name} shape`).toEqual(y.shape);
    expect(x.values.length, `${what}: ${name} size`).toBe(y.values.length);
    for (let i = 0; i < x.values.length; i++) {
      const d = Math.abs(x.values[i]! - y.values[i]!);
      // NaN compares false with everything: count it as infinitely far.
      max = Math.max(max, Number.isNaN(d) ? Infinity : d);
    }
  }
  return max;
}

/** Every tensor of `a` within `tolerance` of the same tensor of `b`, element by element. */
export function expectSameWeights(a: Weights, b: Weights, tolerance: number, what: string): void {
  expect(maxWeightDifference(a, b, what), `${what}: max |Δw|`).toBeLessThanOrEqual(tolerance);
}
