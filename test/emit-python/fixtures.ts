import type { TrainingConfig } from "../../compiler/ir/config.js";
import type { Attrs, Graph, IRNode } from "../../compiler/ir/graph.js";
import type { PlanView } from "../../compiler/emit/python/index.js";
import { nodeLayoutInput, splitAxis } from "../../compiler/plan/layer-layout.js";

/** Hand-built, already-shaped graphs (as `lower` + `inferShapes` leave them), for emitter tests. */
const SPAN = { file: "fixture.model", start: 0, end: 0 };

export interface LayerSpec {
  readonly name: string;
  readonly op: string;
  readonly attrs?: Attrs;
  readonly shape: readonly number[];
  /** Names of the producers; default: the layer before. */
  readonly from?: readonly string[];
  readonly trainable?: number;
}

export function buildGraph(
  model: string,
  input: { name: string; shape: number[] },
  layers: LayerSpec[],
): Graph {
  const nodes: IRNode[] = [
    {
      id: 0,
      name: input.name,
      op: "input",
      attrs: { shape: input.shape, dtype: "float32" },
      inputs: [],
      outputShape: input.shape,
      dtype: "float32",
      params: { trainable: 0, nonTrainable: 0 },
      hints: [],
      span: SPAN,
      callSites: [],
    },
  ];
  for (const layer of layers) {
    const ids = (layer.from ?? [nodes[nodes.length - 1]!.name]).map(
      (n) => nodes.find((m) => m.name === n)!.id,
    );
    nodes.push({
      id: nodes.length,
      name: layer.name,
      op: layer.op,
      attrs: { activation: "linear", ...layer.attrs },
      inputs: ids,
      outputShape: layer.shape,
      dtype: "float32",
      params: { trainable: layer.trainable ?? 0, nonTrainable: 0 },
      hints: [],
      span: SPAN,
      callSites: [],
    });
  }
  return { model, span: SPAN, nodes, inputs: [0], outputs: [nodes.length - 1] };
}

/** The seed's MLP: 28x28 digits, flatten, dense 128 relu, dropout 0.2, dense 10 softmax. */
export const seedMlp = buildGraph("Mlp", { name: "image", shape: [28, 28] }, [
  { name: "flatten", op: "flatten", shape: [784] },
  {
    name: "dense",
    op: "dense",
    attrs: { units: 128, activation: "relu", use_bias: true },
    shape: [128],
    trainable: 100480,
  },
  { name: "dropout", op: "dropout", attrs: { rate: 0.2 }, shape: [128] },
  {
    name: "dense_1",
    op: "dense",
    attrs: { units: 10, activation: "softmax", use_bias: true },
    shape: [10],
    trainable: 1290,
  },
]);

/** The seed's CNN, with names that are Python keywords and hold `/`. */
export const seedCnn = buildGraph("Cnn", { name: "image", shape: [28, 28, 1] }, [
  {
    name: "class",
    op: "conv2d",
    attrs: {
      filters: 8,
      kernel: [3, 3],
      strides: [2, 2],
      padding: "same",
      dilation: [1, 1],
      activation: "relu",
      use_bias: true,
    },
    shape: [14, 14, 8],
    trainable: 80,
  },
  {
    name: "block/batchnorm",
    op: "batchnorm",
    attrs: { momentum: 0.99, epsilon: 0.001 },
    shape: [14, 14, 8],
    trainable: 16,
  },
  {
    name: "None",
    op: "maxpool2d",
    attrs: { pool: [3, 3], strides: [2, 2], padding: "same" },
    shape: [7, 7, 8],
  },
  { name: "flatten", op: "flatten", shape: [392] },
  {
    name: "lambda",
    op: "dense",
    attrs: { units: 32, activation: "relu", use_bias: true },
    shape: [32],
    trainable: 12576,
  },
  {
    name: "dense",
    op: "dense",
    attrs: { units: 10, activation: "softmax", use_bias: true },
    shape: [10],
    trainable: 330,
  },
]);

export function training(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    data: { kind: "mnist" },
    optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    loss: "sparse_categorical_crossentropy",
    metrics: ["accuracy"],
    epochs: 1,
    batch: 64,
    validation: 0.1,
    seed: 42,
    spans: {},
    ...overrides,
  };
}

/** A plan over `devices`, every layer data-parallel except those given a model degree. */
export function plan(graph: Graph, devices: number, modelDegrees: Record<string, number> = {}): PlanView {
  return {
    devices: { count: devices },
    layers: graph.nodes.map((n) => {
      const m = modelDegrees[n.name] ?? 1;
      // As a real plan writes it: the split axis whenever m > 1 (a dense after a column one: input_features).
      const split = m > 1 ? { split: splitAxis(nodeLayoutInput(graph, n.id, { d: devices / m, m })) } : {};
      return { name: n.name, placement: { dataDegree: devices / m, modelDegree: m, stage: 0, ...split } };
    }),
    predicted: { memoryPerDeviceBytes: Array.from({ length: devices }, () => 0) },
  };
}

/** Every layer of LANGUAGE.md's table, with branches, so both emitters translate every op. */
export const allOps = buildGraph("AllOps", { name: "image", shape: [9, 9, 3] }, [
  {
    name: "pad",
    op: "zeropad2d",
    attrs: {
      padding: [
        [1, 0],
        [0, 1],
      ],
    },
    shape: [10, 10, 3],
  },
  {
    name: "conv2d",
    op: "conv2d",
    attrs: {
      filters: 4,
      kernel: [3, 2],
      strides: [1, 1],
      padding: "same",
      dilation: [2, 1],
      activation: "gelu",
      use_bias: false,
    },
    shape: [10, 10, 4],
    trainable: 96,
  },
  {
    name: "depthwise",
    op: "depthwise_conv2d",
    attrs: {
      kernel: [3, 3],
      strides: [2, 2],
      padding: "same",
      depth_multiplier: 2,
      dilation: [1, 1],
      activation: "relu6",
      use_bias: true,
    },
    shape: [5, 5, 8],
    trainable: 80,
  },
  {
    name: "avg",
    op: "avgpool2d",
    attrs: { pool: [2, 2], strides: [2, 2], padding: "same" },
    shape: [3, 3, 8],
  },
  { name: "ln", op: "layernorm", attrs: { epsilon: 0.001 }, shape: [3, 3, 8], trainable: 16 },
  { name: "sig", op: "sigmoid", shape: [3, 3, 8], from: ["ln"] },
  { name: "tanh", op: "tanh", shape: [3, 3, 8], from: ["ln"] },
  { name: "mul", op: "multiply", shape: [3, 3, 8], from: ["sig", "tanh"] },
  { name: "sum", op: "add", shape: [3, 3, 8], from: ["mul", "avg"] },
  { name: "cat", op: "concat", attrs: { axis: -1 }, shape: [3, 3, 16], from: ["sum", "avg"] },
  { name: "gmax", op: "global_max_pool2d", shape: [16], from: ["cat"] },
  { name: "gavg", op: "global_avg_pool2d", shape: [16], from: ["cat"] },
  { name: "both", op: "add", shape: [16], from: ["gmax", "gavg"] },
  { name: "shape", op: "reshape", attrs: { shape: [4, 4] }, shape: [4, 4] },
  { name: "flatten", op: "flatten", shape: [16] },
  { name: "relu", op: "relu", shape: [16] },
  {
    name: "dense",
    op: "dense",
    attrs: { units: 3, activation: "linear", use_bias: true },
    shape: [3],
    trainable: 51,
  },
  { name: "softmax", op: "softmax", shape: [3] },
]);

/** A token model: int32 ids into an embedding. */
export const tokens: Graph = (() => {
  const g = buildGraph("Tokens", { name: "ids", shape: [12] }, [
    {
      name: "embedding",
      op: "embedding",
      attrs: { input_dim: 100, output_dim: 8 },
      shape: [12, 8],
      trainable: 800,
    },
    { name: "flatten", op: "flatten", shape: [96] },
    {
      name: "dense",
      op: "dense",
      attrs: { units: 1, activation: "sigmoid", use_bias: true },
      shape: [1],
      trainable: 97,
    },
  ]);
  const input = { ...g.nodes[0]!, dtype: "int32" as const, attrs: { shape: [12], dtype: "int32" } };
  return { ...g, nodes: [input, ...g.nodes.slice(1)] };
})();

/** Two model-parallel dense layers back to back: the first column-parallel, the second row-parallel. */
export const pairedMlp = buildGraph("Paired", { name: "image", shape: [28, 28] }, [
  { name: "flatten", op: "flatten", shape: [784] },
  {
    name: "hidden",
    op: "dense",
    attrs: { units: 64, activation: "relu", use_bias: true },
    shape: [64],
    trainable: 50240,
  },
  {
    name: "logits",
    op: "dense",
    attrs: { units: 10, activation: "softmax", use_bias: true },
    shape: [10],
    trainable: 650,
  },
]);
