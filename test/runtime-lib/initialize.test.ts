import type * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { buildModel, fans, initializeWeights } from "../../runtime/model/index.js";
import { GraphBuilder, mlpGraph } from "./support/graph-builder.js";

function named(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, Float32Array.from(w.read().dataSync())]));
}

function cnn(withDropout: boolean): tf.LayersModel {
  const g = new GraphBuilder("Cnn");
  g.input("image", [12, 12, 3]);
  g.layer("conv2d", "conv2d", {
    filters: 64,
    kernel: [3, 3],
    strides: [1, 1],
    padding: "same",
    dilation: [1, 1],
    activation: "relu",
    use_bias: true,
  });
  g.layer("batchnorm", "batchnorm", { momentum: 0.99, epsilon: 0.001 });
  if (withDropout) g.layer("dropout", "dropout", { rate: 0.5 });
  g.layer("flatten", "flatten", {});
  g.layer("dense", "dense", { units: 10, activation: "softmax", use_bias: true });
  return buildModel(g.build());
}

/** Weight names → bytes, cheap to compare (deep-equal on large typed arrays is slow). */
function fingerprint(model: tf.LayersModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of named(model)) out[name] = Buffer.from(values.buffer).toString("base64");
  return out;
}

describe("initializeWeights", () => {
  it("is a pure function of the seed", () => {
    const a = buildModel(mlpGraph());
    const b = buildModel(mlpGraph());
    initializeWeights(a, 42);
    initializeWeights(b, 42);
    expect(fingerprint(a)).toEqual(fingerprint(b));
    initializeWeights(b, 43);
    expect(named(b).get("dense/kernel")).not.toEqual(named(a).get("dense/kernel"));
  });

  it("keys each weight by its name: other layers do not change it", () => {
    const plain = cnn(false);
    const withDropout = cnn(true);
    initializeWeights(plain, 1);
    initializeWeights(withDropout, 1);
    expect(fingerprint(withDropout)).toEqual(fingerprint(plain));
  });

  it("draws Keras's defaults: glorot_uniform kernels, zero biases, unit gamma and moving variance", () => {
    const model = cnn(false);
    initializeWeights(model, 7);
    const w = named(model);
    const kernel = w.get("conv2d/kernel")!;
    const { fanIn, fanOut } = fans([3, 3, 3, 64]);
    expect([fanIn, fanOut]).toEqual([27, 576]);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    let sum = 0;
    let sq = 0;
    let max = 0;
    for (const v of kernel) {
      sum += v;
      sq += v * v;
      max = Math.max(max, Math.abs(v));
    }
    const mean = sum / kernel.length;
    const variance = sq / kernel.length - mean * mean;
    expect(max).toBeLessThanOrEqual(limit);
    expect(max).toBeGreaterThan(0.98 * limit);
    expect(Math.abs(mean)).toBeLessThan(0.05 * limit);
    expect(variance / ((limit * limit) / 3)).toBeGreaterThan(0.9);
    expect(variance / ((limit * limit) / 3)).toBeLessThan(1.1);
    expect(w.get("conv2d/bias")!.every((v) => v === 0)).toBe(true);
    expect(w.get("batchnorm/gamma")!.every((v) => v === 1)).toBe(true);
    expect(w.get("batchnorm/beta")!.every((v) => v === 0)).toBe(true);
    expect(w.get("batchnorm/moving_mean")!.every((v) => v === 0)).toBe(true);
    expect(w.get("batchnorm/moving_variance")!.every((v) => v === 1)).toBe(true);
  });

  it("draws embeddings from uniform(-0.05, 0.05)", () => {
    const g = new GraphBuilder("Tokens");
    g.input("tokens", [4], "int32");
    g.layer("embedding", "embedding", { input_dim: 500, output_dim: 16 });
    const model = buildModel(g.build());
    initializeWeights(model, 3);
    const e = named(model).get("embedding/embeddings")!;
    expect(e.length).toBe(8000);
    expect(Math.max(...e)).toBeLessThanOrEqual(0.05);
    expect(Math.max(...e)).toBeGreaterThan(0.049);
    expect(Math.min(...e)).toBeLessThan(-0.049);
  });
});
