import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { checkpointWeights, LAYOUTS, type Layout } from "../../compiler/emit/torch/checkpoint-weights.js";
import type { Graph } from "../../compiler/ir/graph.js";
import { tfjsLayerName } from "../../compiler/ir/tfjs-layer-names.js";

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
 * A Keras-layout checkpoint in torch's layout, each weight converted as `CHECKPOINT_WEIGHTS` (the table the
 * torch program's `keras_weights` is written from) says for its layer's op; every weight of the checkpoint
 * must be one of the graph's layers', and every weight the table names for them must be there.
 */
export function kerasToTorch(weights: Weights, graph: Graph): Weights {
  const out = new Map<string, Tensor>();
  for (const node of graph.nodes)
    for (const w of checkpointWeights(node)) {
      const name = `${tfjsLayerName(node.name)}/${w.keras}`;
      const t = weights.get(name);
      if (t === undefined) throw new Error(`the checkpoint has no weight ${name}`);
      out.set(name, toTorchLayout(LAYOUTS[w.layout], t));
    }
  const unknown = [...weights.keys()].filter((name) => !out.has(name));
  if (unknown.length > 0) throw new Error(`weights no layer's op names: ${unknown.join(", ")}`);
  return out;
}

/** A Keras array in torch's layout, as the program's `lambda k: ...` makes it (`pythonLayout`). */
export function toTorchLayout(layout: Layout, t: Tensor): Tensor {
  if (layout.axes === undefined) return t;
  const axes = layout.axes;
  if (axes.length !== t.shape.length)
    throw new Error(`a ${t.shape.length}-d array for a ${axes.length}-d layout`);
  const shape = axes.map((a) => t.shape[a]!);
  // Row-major strides of the source; the output walks its own shape and reads the source axis each one came from.
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const values = new Float64Array(t.values.length);
  const index = shape.map(() => 0);
  for (let o = 0; o < values.length; o++) {
    values[o] = t.values[index.reduce((at, v, k) => at + v * strides[axes[k]!]!, 0)]!;
    for (let k = shape.length - 1; k >= 0; k--) {
      index[k] = index[k]! + 1;
      if (index[k]! < shape[k]!) break;
      index[k] = 0;
    }
  }
  return { shape: layout.grouped ? [shape[0]! * shape[1]!, 1, ...shape.slice(2)] : shape, values };
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
