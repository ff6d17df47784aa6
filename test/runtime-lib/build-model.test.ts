import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import type { Graph } from "../../compiler/ir/graph.js";
import { buildModel, irNameOf, tfjsLayerName } from "../../runtime/model/index.js";
import { GraphBuilder } from "./support/graph-builder.js";

const conv = (filters: number, extra: Record<string, unknown> = {}) => ({
  filters,
  kernel: [3, 3],
  strides: [1, 1],
  padding: "valid",
  dilation: [1, 1],
  activation: "relu",
  use_bias: true,
  ...extra,
});

/** A CNN using every single-input spatial op. */
function cnnGraph(): Graph {
  const g = new GraphBuilder("Cnn");
  g.input("image", [28, 28, 1]);
  g.layer("zeropad2d", "zeropad2d", {
    padding: [
      [1, 2],
      [0, 1],
    ],
  });
  g.layer("conv2d", "conv2d", conv(8));
  g.layer("depthwise_conv2d", "depthwise_conv2d", {
    kernel: [3, 3],
    strides: [2, 2],
    padding: "same",
    depth_multiplier: 2,
    dilation: [1, 1],
    activation: "linear",
    use_bias: false,
  });
  g.layer("batchnorm", "batchnorm", { momentum: 0.9, epsilon: 0.001 });
  g.layer("maxpool2d", "maxpool2d", { pool: [2, 2], strides: [2, 2], padding: "valid" });
  g.layer("avgpool2d", "avgpool2d", { pool: [2, 2], strides: [1, 1], padding: "same" });
  g.layer("dropout", "dropout", { rate: 0.25 });
  g.layer("flatten", "flatten", {});
  g.layer("dense", "dense", { units: 16, activation: "gelu", use_bias: true });
  g.layer("layernorm", "layernorm", { epsilon: 0.001 });
  g.layer("gelu", "gelu", {});
  g.layer("dense_1", "dense", { units: 10, activation: "softmax", use_bias: true });
  return g.build();
}

/** Branches and merges, with block-path names (`residual/conv2d`). */
function branchyGraph(): Graph {
  const g = new GraphBuilder("Branchy");
  const x = g.input("image", [8, 8, 3]);
  const a = g.layer("residual/conv2d", "conv2d", conv(3, { padding: "same", dilation: [2, 2] }), x);
  const r = g.layer("residual/relu", "relu", {}, a);
  const s = g.layer("residual/add", "add", {}, r, x);
  const m = g.layer("multiply", "multiply", {}, s, x);
  const c = g.layer("concat", "concat", { axis: -1 }, m, s);
  const avg = g.layer("global_avg_pool2d", "global_avg_pool2d", {}, c);
  const max = g.layer("global_max_pool2d", "global_max_pool2d", {}, c);
  g.layer("concat_1", "concat", { axis: -1 }, avg, max);
  g.layer("sigmoid", "sigmoid", {});
  g.layer("reshape", "reshape", { shape: [3, 4] });
  g.layer("tanh", "tanh", {});
  g.layer("softmax", "softmax", {});
  return g.build();
}

function embeddingGraph(): Graph {
  const g = new GraphBuilder("Tokens");
  g.input("tokens", [12], "int32");
  g.layer("embedding", "embedding", { input_dim: 100, output_dim: 8 });
  g.layer("flatten", "flatten", {});
  g.layer("dense", "dense", { units: 2, activation: "linear", use_bias: true });
  return g.build();
}

function expectMatchesIR(graph: Graph): void {
  const model = buildModel(graph);
  let trainable = 0;
  let total = 0;
  for (const node of graph.nodes) {
    const layer = model.getLayer(tfjsLayerName(node.name));
    expect(layer.outputShape, node.name).toEqual([null, ...node.outputShape!]);
    trainable += node.params!.trainable;
    total += node.params!.trainable + node.params!.nonTrainable;
    const layerParams = layer.countParams();
    expect(layerParams, node.name).toBe(node.params!.trainable + node.params!.nonTrainable);
  }
  expect(model.countParams()).toBe(total);
  const trainableCount = model.trainableWeights.reduce(
    (n, w) => n + w.shape.reduce((a, b) => a! * b!, 1)!,
    0,
  );
  expect(trainableCount).toBe(trainable);
  expect(model.name).toBe(graph.model);
  model.dispose();
}

describe("buildModel", () => {
  it("matches the IR's shapes and parameter counts for a CNN with every spatial op", () => {
    expectMatchesIR(cnnGraph());
  });

  it("matches the IR for branches, merges and activation layers", () => {
    expectMatchesIR(branchyGraph());
  });

  it("matches the IR for an int32 token input and an embedding", () => {
    const graph = embeddingGraph();
    expectMatchesIR(graph);
    const model = buildModel(graph);
    expect(model.inputs[0]!.dtype).toBe("int32");
    const out = model.predict(tf.tensor2d([[...Array(12).keys()]], [1, 12], "int32")) as tf.Tensor;
    expect(out.shape).toEqual([1, 2]);
    tf.dispose([out]);
    model.dispose();
  });

  it("runs forward on a batch with the IR's output shape", () => {
    const graph = cnnGraph();
    const model = buildModel(graph);
    const out = model.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor;
    expect(out.shape).toEqual([3, 10]);
    const sums = out.sum(1).arraySync() as number[];
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    tf.dispose(out);
    model.dispose();
  });

  it("makes block paths tfjs-safe and reversible", () => {
    expect(tfjsLayerName("residual_1/conv2d")).toBe("residual_1__conv2d");
    expect(irNameOf(tfjsLayerName("residual_1/conv2d"))).toBe("residual_1/conv2d");
    expect(tfjsLayerName("_hidden")).toBe("l_hidden");
    expect(irNameOf("l_hidden")).toBe("_hidden");
    // Names tfjs would find on Object.prototype when it rebuilds a model from its config get a suffix.
    for (const name of ["constructor", "toString", "hasOwnProperty", "valueOf", "block/constructor"]) {
      expect(tfjsLayerName(name) in Object.prototype).toBe(false);
      expect(irNameOf(tfjsLayerName(name))).toBe(name);
    }
    expect(tfjsLayerName("toString")).toBe("toString-");
    expect(tfjsLayerName("__proto__")).toBe("l__proto__");
    const model = buildModel(branchyGraph());
    const names = model.layers.map((l) => l.name);
    expect(names).toContain("residual__conv2d");
    expect(model.getLayer("residual__conv2d").weights.map((w) => w.originalName)).toEqual([
      "residual__conv2d/kernel",
      "residual__conv2d/bias",
    ]);
    model.dispose();
  });
});
