import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../runtime/backend/index.js";
import {
  MultiHeadAttention,
  PositionEmbedding,
  setStepContext,
  stepContext,
} from "../../runtime/layers/index.js";
import { CounterRandom } from "../../runtime/data/index.js";

/**
 * The runtime's attention layer against a float64 reference written from Keras's definition of
 * MultiHeadAttention (einsum projections, scores scaled by 1/√key_dim, causal mask, softmax, weighted values,
 * output projection), loop by loop; its gradients against central differences of that reference.
 */
interface Dims {
  readonly b: number;
  readonly t: number;
  readonly d: number;
  readonly h: number;
  readonly k: number;
  readonly v: number;
}

type Weights = Record<string, Float64Array>;

function random(n: number, key: string, scale = 0.5): Float64Array {
  const r = new CounterRandom(11, key);
  return Float64Array.from({ length: n }, (_, i) => (2 * r.uniform(i) - 1) * scale);
}

function weightsFor({ d, h, k, v }: Dims, bias: boolean): Weights {
  const w: Weights = {
    "query/kernel": random(d * h * k, "q"),
    "key/kernel": random(d * h * k, "k"),
    "value/kernel": random(d * h * v, "v"),
    "attention_output/kernel": random(h * v * d, "o"),
  };
  if (bias) {
    w["query/bias"] = random(h * k, "qb");
    w["key/bias"] = random(h * k, "kb");
    w["value/bias"] = random(h * v, "vb");
    w["attention_output/bias"] = random(d, "ob");
  }
  return w;
}

/** Keras's MultiHeadAttention(x, x) in float64: out[b, t, :] for every position. */
function reference(x: Float64Array, w: Weights, dims: Dims, causal: boolean): Float64Array {
  const { b, t, d, h, k, v } = dims;
  const proj = (name: string, dim: number): Float64Array => {
    const kernel = w[`${name}/kernel`]!;
    const bias = w[`${name}/bias`];
    const out = new Float64Array(b * t * h * dim);
    for (let n = 0; n < b; n++)
      for (let p = 0; p < t; p++)
        for (let hh = 0; hh < h; hh++)
          for (let j = 0; j < dim; j++) {
            let s = bias ? bias[hh * dim + j]! : 0;
            for (let c = 0; c < d; c++) s += x[(n * t + p) * d + c]! * kernel[(c * h + hh) * dim + j]!;
            out[((n * t + p) * h + hh) * dim + j] = s;
          }
    return out;
  };
  const q = proj("query", k);
  const kk = proj("key", k);
  const vv = proj("value", v);
  const heads = new Float64Array(b * t * h * v);
  for (let n = 0; n < b; n++)
    for (let hh = 0; hh < h; hh++)
      for (let i = 0; i < t; i++) {
        const scores = new Float64Array(t);
        let max = -Infinity;
        for (let j = 0; j < t; j++) {
          let s = 0;
          for (let c = 0; c < k; c++)
            s += q[((n * t + i) * h + hh) * k + c]! * kk[((n * t + j) * h + hh) * k + c]!;
          s /= Math.sqrt(k);
          if (causal && j > i) s = -Infinity;
          scores[j] = s;
          max = Math.max(max, s);
        }
        let sum = 0;
        for (let j = 0; j < t; j++) sum += scores[j] = Math.exp(scores[j]! - max);
        for (let j = 0; j < t; j++)
          for (let c = 0; c < v; c++)
            heads[((n * t + i) * h + hh) * v + c]! +=
              (scores[j]! / sum) * vv[((n * t + j) * h + hh) * v + c]!;
      }
  const out = new Float64Array(b * t * d);
  const kernel = w["attention_output/kernel"]!;
  const bias = w["attention_output/bias"];
  for (let n = 0; n < b; n++)
    for (let p = 0; p < t; p++)
      for (let c = 0; c < d; c++) {
        let s = bias ? bias[c]! : 0;
        for (let hh = 0; hh < h; hh++)
          for (let j = 0; j < v; j++)
            s += heads[((n * t + p) * h + hh) * v + j]! * kernel[(hh * v + j) * d + c]!;
        out[(n * t + p) * d + c] = s;
      }
  return out;
}

function layerWith(dims: Dims, w: Weights, causal: boolean, dropout = 0): MultiHeadAttention {
  const layer = new MultiHeadAttention({
    name: "attn",
    heads: dims.h,
    keyDim: dims.k,
    valueDim: dims.v,
    causal,
    dropout,
    useBias: w["query/bias"] !== undefined,
  });
  // Built by a first call, as in a model: its weights are then named `attn/query/kernel`, ...
  layer.apply(tf.zeros([1, dims.t, dims.d]));
  for (const weight of layer.weights) {
    const name = weight.originalName.slice("attn/".length);
    weight.write(tf.tensor(Float32Array.from(w[name]!), weight.shape as number[]));
  }
  return layer;
}

const CASES: readonly { dims: Dims; causal: boolean; bias: boolean }[] = [
  { dims: { b: 2, t: 5, d: 6, h: 2, k: 3, v: 3 }, causal: false, bias: true },
  { dims: { b: 2, t: 5, d: 6, h: 2, k: 3, v: 3 }, causal: true, bias: true },
  { dims: { b: 3, t: 4, d: 4, h: 3, k: 2, v: 5 }, causal: true, bias: false },
  { dims: { b: 1, t: 7, d: 8, h: 1, k: 8, v: 8 }, causal: true, bias: true },
];

beforeAll(async () => {
  await initBackend("wasm");
});

describe("MultiHeadAttention equals Keras's definition (float64 reference)", () => {
  for (const { dims, causal, bias } of CASES) {
    const label = `[${dims.b}, ${dims.t}, ${dims.d}], ${dims.h} heads, key ${dims.k}, value ${dims.v}${causal ? ", causal" : ""}${bias ? "" : ", no bias"}`;
    it(`${label}: outputs`, () => {
      const w = weightsFor(dims, bias);
      const x = random(dims.b * dims.t * dims.d, "x", 1);
      const layer = layerWith(dims, w, causal);
      const got = (
        layer.apply(tf.tensor(Float32Array.from(x), [dims.b, dims.t, dims.d])) as tf.Tensor
      ).dataSync();
      const want = reference(x, w, dims, causal);
      let max = 0;
      for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i]! - want[i]!));
      expect(max).toBeLessThan(1e-5);
      expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.1);
    });

    it(`${label}: gradients of every weight`, () => {
      const w = weightsFor(dims, bias);
      const x = random(dims.b * dims.t * dims.d, "x", 1);
      const probe = random(dims.b * dims.t * dims.d, "probe", 1);
      const layer = layerWith(dims, w, causal);
      const xt = tf.tensor(Float32Array.from(x), [dims.b, dims.t, dims.d]);
      const pt = tf.tensor(Float32Array.from(probe), [dims.b, dims.t, dims.d]);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(layer.apply(xt) as tf.Tensor, pt)) as tf.Scalar,
        layer.trainableWeights.map((v) => v.read() as tf.Variable),
      );
      const loss = (ws: Weights) => reference(x, ws, dims, causal).reduce((s, y, i) => s + y * probe[i]!, 0);
      for (const weight of layer.trainableWeights) {
        const name = weight.originalName.slice("attn/".length);
        const g = grads[(weight.read() as tf.Variable).name]!.dataSync();
        // A few entries of each weight, by central differences of the float64 reference.
        for (const i of [0, Math.floor(g.length / 2), g.length - 1]) {
          const eps = 1e-5;
          const up = { ...w, [name]: Float64Array.from(w[name]!) };
          const down = { ...w, [name]: Float64Array.from(w[name]!) };
          up[name]![i]! += eps;
          down[name]![i]! -= eps;
          const numeric = (loss(up) - loss(down)) / (2 * eps);
          expect(Math.abs(g[i]! - numeric), `${name}[${i}]`).toBeLessThan(
            2e-4 * Math.max(1, Math.abs(numeric)),
          );
        }
      }
    });
  }
});

describe("MultiHeadAttention dropout and serialization", () => {
  const dims: Dims = { b: 4, t: 3, d: 4, h: 2, k: 2, v: 2 };
  it("drops the same probabilities for a row whichever device holds it", () => {
    const w = weightsFor(dims, true);
    const x = tf.tensor(Float32Array.from(random(dims.b * dims.t * dims.d, "x", 1)), [
      dims.b,
      dims.t,
      dims.d,
    ]);
    const layer = layerWith(dims, w, true, 0.5);
    const saved = stepContext();
    try {
      setStepContext({ ...saved, seed: 3, step: 2, shardOffset: 0 });
      const whole = (layer.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][];
      setStepContext({ ...saved, seed: 3, step: 2, shardOffset: 2 });
      const tail = (
        layer.apply(tf.slice(x, [2, 0, 0], [2, -1, -1]), { training: true }) as tf.Tensor
      ).arraySync();
      expect(tail).toEqual(whole.slice(2));
      const inference = (layer.apply(x) as tf.Tensor).arraySync() as number[][][];
      expect(inference).not.toEqual(whole);
      setStepContext({ ...saved, seed: 3, step: 3, shardOffset: 0 });
      expect((layer.apply(x, { training: true }) as tf.Tensor).arraySync()).not.toEqual(whole);
    } finally {
      setStepContext(saved);
    }
  });

  it("round-trips through tf.loadLayersModel with its weights and settings", async () => {
    const input = tf.input({ shape: [5, 6] });
    const attention = new MultiHeadAttention({
      name: "attn",
      heads: 2,
      keyDim: 3,
      valueDim: 4,
      causal: true,
    });
    const positions = new PositionEmbedding({ name: "pos", maxLength: 9 });
    const output = tf.layers
      .add()
      .apply([attention.apply(input) as tf.SymbolicTensor, positions.apply(input) as tf.SymbolicTensor]);
    const model = tf.model({ inputs: input, outputs: output as tf.SymbolicTensor });
    expect(model.countParams()).toBe(2 * (6 * 2 * 3 + 2 * 3) + (6 * 2 * 4 + 2 * 4) + (2 * 4 * 6 + 6) + 9 * 6);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: {} as never })),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const x = tf.tensor(Float32Array.from(random(2 * 5 * 6, "x", 1)), [2, 5, 6]);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      "InputLayer",
      "MgpucMultiHeadAttention",
      "MgpucPositionEmbedding",
      "Add",
    ]);
  });
});
