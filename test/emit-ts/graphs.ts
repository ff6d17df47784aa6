import type { TrainingConfig } from "../../compiler/ir/config.js";
import type { DType, Graph, IRNode } from "../../compiler/ir/graph.js";
import type { PlanInput } from "../../compiler/emit/typescript/index.js";

/** Hand-built IR graphs, so the emitter is tested without the front end. */
const span = { file: "test.model", start: 0, end: 0 };

interface NodeSpec {
  readonly name: string;
  readonly op: string;
  readonly attrs?: IRNode["attrs"];
  readonly inputs?: readonly number[];
  readonly shape: readonly number[];
  readonly dtype?: DType;
  readonly block?: boolean;
}

export function graphOf(model: string, specs: readonly NodeSpec[], outputs?: readonly number[]): Graph {
  const nodes: IRNode[] = specs.map((s, id) => ({
    id,
    name: s.name,
    op: s.op,
    attrs:
      s.op === "input" ? { shape: [...s.shape], dtype: s.dtype ?? "float32", ...s.attrs } : (s.attrs ?? {}),
    inputs: s.inputs ?? (id === 0 ? [] : [id - 1]),
    outputShape: s.shape,
    dtype: s.dtype ?? "float32",
    hints: [],
    span,
    callSites: s.block ? [span] : [],
  }));
  return {
    model,
    span,
    nodes,
    inputs: nodes.filter((n) => n.op === "input").map((n) => n.id),
    outputs: outputs ?? [nodes.length - 1],
  };
}

export const mlp = graphOf("Mlp", [
  { name: "image", op: "input", shape: [28, 28] },
  { name: "flatten", op: "flatten", shape: [784] },
  { name: "dense", op: "dense", attrs: { units: 64, activation: "relu", use_bias: true }, shape: [64] },
  { name: "dense_1", op: "dense", attrs: { units: 10, activation: "softmax", use_bias: true }, shape: [10] },
]);

const conv = (filters: number) => ({
  filters,
  kernel: [3, 3],
  strides: [1, 1],
  padding: "same",
  dilation: [1, 1],
  activation: "linear",
  use_bias: true,
});

export const residual = graphOf("TinyResNet", [
  { name: "image", op: "input", shape: [8, 8, 3] },
  { name: "conv2d", op: "conv2d", attrs: { ...conv(4), activation: "relu" }, shape: [8, 8, 4] },
  { name: "residual/conv2d", op: "conv2d", attrs: conv(4), shape: [8, 8, 4], block: true },
  {
    name: "residual/batchnorm",
    op: "batchnorm",
    attrs: { momentum: 0.99, epsilon: 0.001 },
    shape: [8, 8, 4],
    block: true,
  },
  { name: "residual/add", op: "add", inputs: [3, 1], shape: [8, 8, 4], block: true },
  { name: "residual/relu", op: "relu", shape: [8, 8, 4], block: true },
  { name: "global_avg_pool2d", op: "global_avg_pool2d", shape: [4] },
  { name: "dense", op: "dense", attrs: { units: 10, activation: "softmax", use_bias: true }, shape: [10] },
]);

export const training: TrainingConfig = {
  data: { kind: "synthetic", samples: 256, classes: 10 },
  optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  loss: "sparse_categorical_crossentropy",
  metrics: ["accuracy"],
  epochs: 1,
  batch: 32,
  validation: 0.1,
  seed: 7,
  spans: {},
};

export function planFor(graph: Graph, devices = 2): PlanInput {
  return {
    model: graph.model,
    strategy: "auto",
    devices: { count: devices, profile: "cpu" },
    layers: graph.nodes.map((n) => ({
      name: n.name,
      op: n.op,
      placement: {
        kind: "data",
        dataDegree: devices,
        modelDegree: 1,
        stage: 0,
        devices: Array.from({ length: devices }, (_, i) => i),
      },
    })),
    predicted: { stepTimeMs: 1.234567 },
  };
}

/** Names a `.model` file may legally use that are reserved in TypeScript or are the program's own. */
export const HOSTILE_NAMES = [
  "class",
  "await",
  "constructor",
  "__proto__",
  "tf",
  "model",
  "data",
  "buildModel",
];

export const hostile = graphOf("constructor", [
  { name: "data", op: "input", shape: [6] },
  ...["await", "constructor", "__proto__", "tf", "model", "buildModel"].map((name) => ({
    name,
    op: "dense",
    attrs: { units: 4, activation: "tanh", use_bias: true },
    shape: [4],
  })),
  { name: "class", op: "add", inputs: [2, 6], shape: [4] },
  {
    name: "__proto__/dense",
    op: "dense",
    attrs: { units: 3, activation: "softmax", use_bias: false },
    shape: [3],
  },
]);

/** A data path a program must carry as plain text: quotes, a backtick, `${}` and a backslash. */
export const HOSTILE_PATH = "no such \"dir\"/`x` ${process.exit(7)} \\ 'q'.csv";

export function hostileTraining(dataDir: string): TrainingConfig {
  return { ...training, data: { kind: "csv", path: `${dataDir}/${HOSTILE_PATH}`, label: 'y"`${1}`' } };
}

/** Two calls of one block with different `filters`, then a call of the same block with another shape. */
export const twoCalls = graphOf("Blocks", [
  { name: "image", op: "input", shape: [8, 8, 3] },
  { name: "blk/conv2d", op: "conv2d", attrs: conv(4), shape: [8, 8, 4], block: true },
  { name: "blk/relu", op: "relu", shape: [8, 8, 4], block: true },
  { name: "blk_1/conv2d", op: "conv2d", attrs: conv(8), shape: [8, 8, 8], block: true },
  { name: "blk_1/relu", op: "relu", shape: [8, 8, 8], block: true },
  { name: "blk_2/conv2d", op: "conv2d", attrs: conv(8), shape: [8, 8, 8], block: true },
  { name: "global_avg_pool2d", op: "global_avg_pool2d", inputs: [5], shape: [8] },
  { name: "add", op: "add", inputs: [6, 6], shape: [8] },
]);
