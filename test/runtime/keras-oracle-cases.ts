import type { Loss } from "../../compiler/ir/config.js";
import type { LabelSpec } from "../support/labelled-data.js";

/**
 * The cases of the tfjs oracle (keras-oracle.test.ts): every layer form of LANGUAGE.md as a body, each trained
 * with several losses, every loss with a head and the metrics tfjs computes on its labels, and outputs beyond
 * one row per sample.
 */

/** A layer stack under test: `.model` statements after the input, and the input's declaration. */
export interface Body {
  readonly name: string;
  readonly input: string;
  readonly shape: readonly number[];
  readonly statements: string;
  /** The body's output has more than one axis per sample: the class heads flatten first. */
  readonly spatial: boolean;
  /** Which losses this body is trained with (every loss meets several bodies of every layer kind). */
  readonly losses: readonly Loss[];
  /** A dilated conv2d: the reference is the equivalent undilated conv2d (see `dilatedReference`). */
  readonly dilated?: { readonly kernel: number; readonly rate: number; readonly text: string };
}

export const ALL: readonly Loss[] = [
  "sparse_categorical_crossentropy",
  "categorical_crossentropy",
  "binary_crossentropy",
  "mse",
  "mae",
];

const image = { input: "input x: [6, 6, 2]", shape: [6, 6, 2], spatial: true } as const;
const vector = { input: "input x: [8]", shape: [8], spatial: false } as const;

export const BODIES: readonly Body[] = [
  { name: "dense relu", ...vector, statements: "dense(6, activation: relu)", losses: ALL },
  {
    name: "dense tanh, no bias",
    ...vector,
    statements: "dense(6, activation: tanh, use_bias: false)",
    losses: ["mse", "sparse_categorical_crossentropy"],
  },
  { name: "conv2d valid", ...image, statements: "conv2d(3, kernel: 3, activation: relu)", losses: ALL },
  {
    name: "conv2d strides 2, padding same",
    ...image,
    statements: "conv2d(3, kernel: 3, strides: 2, padding: same)",
    losses: ["categorical_crossentropy", "mae"],
  },
  {
    name: "conv2d [h, w] kernel and strides",
    ...image,
    statements: "conv2d(3, kernel: [3, 2], strides: [2, 1], activation: relu6)",
    losses: ["binary_crossentropy", "mse"],
  },
  {
    name: "conv2d dilation 2, valid",
    ...image,
    statements: "conv2d(3, kernel: 3, dilation: 2)",
    losses: ["sparse_categorical_crossentropy", "mse"],
    dilated: { kernel: 3, rate: 2, text: "conv2d(3, kernel: 5)" },
  },
  {
    name: "conv2d dilation 2, padding same",
    ...image,
    statements: "conv2d(3, kernel: 3, dilation: 2, padding: same, activation: tanh)",
    losses: ["binary_crossentropy", "mae"],
    dilated: { kernel: 3, rate: 2, text: "conv2d(3, kernel: 5, padding: same, activation: tanh)" },
  },
  {
    name: "depthwise_conv2d",
    ...image,
    statements: "depthwise_conv2d(kernel: 3)",
    losses: ["sparse_categorical_crossentropy", "mse"],
  },
  {
    name: "depthwise_conv2d multiplier 2, strides 2, same",
    ...image,
    statements:
      "depthwise_conv2d(kernel: 3, depth_multiplier: 2, strides: 2, padding: same, activation: relu)",
    losses: ["categorical_crossentropy", "binary_crossentropy"],
  },
  {
    name: "maxpool2d",
    ...image,
    statements: "conv2d(3, kernel: 1) -> maxpool2d(2)",
    losses: ["sparse_categorical_crossentropy", "mae"],
  },
  {
    name: "maxpool2d strides 1, same",
    ...image,
    statements: "maxpool2d(3, strides: 1, padding: same) -> conv2d(2, kernel: 3)",
    losses: ["mse", "categorical_crossentropy"],
  },
  {
    name: "avgpool2d",
    ...image,
    statements: "conv2d(3, kernel: 1) -> avgpool2d(2)",
    losses: ["binary_crossentropy", "mse"],
  },
  {
    name: "avgpool2d [h, w], strides, same",
    ...image,
    statements: "conv2d(3, kernel: 1) -> avgpool2d([2, 3], strides: [1, 2], padding: same)",
    losses: ["sparse_categorical_crossentropy", "mae"],
  },
  {
    name: "global_avg_pool2d",
    ...image,
    statements: "conv2d(4, kernel: 3) -> global_avg_pool2d",
    spatial: false,
    losses: ["categorical_crossentropy", "mse"],
  },
  {
    name: "global_max_pool2d",
    ...image,
    statements: "conv2d(4, kernel: 3) -> global_max_pool2d",
    spatial: false,
    losses: ["binary_crossentropy", "sparse_categorical_crossentropy"],
  },
  {
    name: "zeropad2d int",
    ...image,
    statements: "zeropad2d(1) -> conv2d(2, kernel: 3)",
    losses: ["mae", "sparse_categorical_crossentropy"],
  },
  {
    name: "zeropad2d [h, w]",
    ...image,
    statements: "zeropad2d([1, 2]) -> conv2d(2, kernel: 3)",
    losses: ["mse", "binary_crossentropy"],
  },
  {
    name: "zeropad2d [[t, b], [l, r]]",
    ...image,
    statements: "zeropad2d([[1, 0], [0, 2]]) -> conv2d(2, kernel: 3)",
    losses: ["categorical_crossentropy", "mae"],
  },
  {
    name: "batchnorm after conv2d",
    ...image,
    statements: "conv2d(3, kernel: 3) -> batchnorm -> relu",
    losses: ALL,
  },
  {
    name: "batchnorm after dense",
    ...vector,
    statements: "dense(6) -> batchnorm(momentum: 0.9, epsilon: 0.01) -> tanh",
    losses: ["mse", "sparse_categorical_crossentropy"],
  },
  {
    name: "layernorm",
    ...vector,
    statements: "dense(6) -> layernorm -> gelu",
    losses: ["binary_crossentropy", "categorical_crossentropy"],
  },
  {
    name: "reshape",
    ...image,
    statements: "reshape([12, 6]) -> dense(3, activation: sigmoid)",
    losses: ["mse", "sparse_categorical_crossentropy"],
  },
  {
    name: "relu, sigmoid",
    ...vector,
    statements: "dense(6) -> relu -> dense(5) -> sigmoid",
    losses: ["mae", "categorical_crossentropy"],
  },
  {
    name: "tanh, softmax",
    ...vector,
    statements: "dense(6) -> tanh -> dense(5) -> softmax",
    losses: ["binary_crossentropy", "mse"],
  },
  {
    name: "gelu",
    ...vector,
    statements: "dense(6, activation: gelu) -> dense(5) -> gelu",
    losses: ["sparse_categorical_crossentropy", "mae"],
  },
  {
    name: "add",
    ...vector,
    statements: "a = dense(6, activation: relu)\n  b = x -> dense(6, activation: tanh)\n  add(a, b)",
    losses: ["mse", "categorical_crossentropy"],
  },
  {
    name: "multiply",
    ...vector,
    statements: "a = dense(6, activation: sigmoid)\n  b = x -> dense(6)\n  multiply(a, b)",
    losses: ["binary_crossentropy", "sparse_categorical_crossentropy"],
  },
  {
    name: "concat",
    ...image,
    statements: "a = conv2d(2, kernel: 3, padding: same)\n  b = x -> conv2d(3, kernel: 1)\n  concat(a, b)",
    losses: ["mae", "categorical_crossentropy"],
  },
  {
    name: "concat axis 1",
    ...vector,
    spatial: true,
    statements: "a = reshape([2, 4])\n  b = x -> reshape([2, 4])\n  concat(a, b, axis: 1)",
    losses: ["mse", "binary_crossentropy"],
  },
];

/** The head for a loss, its labels, and the metrics compared (every metric tfjs computes on those labels). */
export interface Head {
  readonly statements: string;
  readonly labels: LabelSpec;
  readonly metrics: readonly string[];
}

/** Outputs and labels beyond one row of classes or values per sample. */
export const SHAPED: readonly { body: Body; loss: Loss; head: Head; tokens?: boolean }[] = [
  {
    // An autoencoder-like [4, 4] output: Keras's per-sample loss is the mean over all 16 elements.
    body: { name: "[4, 4] output", ...vector, statements: "dense(16) -> reshape([4, 4])", losses: [] },
    loss: "mse",
    head: { statements: "", labels: { kind: "regression", shape: [4, 4] }, metrics: ["mae", "mse"] },
  },
  {
    body: { name: "[4, 4] output", ...vector, statements: "dense(16) -> reshape([4, 4])", losses: [] },
    loss: "mae",
    head: { statements: "", labels: { kind: "regression", shape: [4, 4] }, metrics: ["mse", "mae"] },
  },
  {
    body: { name: "multi-label sigmoid", ...vector, statements: "dense(6, activation: relu)", losses: [] },
    loss: "binary_crossentropy",
    head: {
      statements: "dense(3, activation: sigmoid)",
      labels: { kind: "multi-binary", shape: [3] },
      metrics: ["accuracy", "binary_accuracy", "mse"],
    },
  },
  {
    body: { name: "one-hot labels", ...vector, statements: "dense(6, activation: relu)", losses: [] },
    loss: "categorical_crossentropy",
    head: {
      statements: "dense(4, activation: softmax)",
      labels: { kind: "one-hot", classes: 4 },
      metrics: ["accuracy", "categorical_accuracy", "mae"],
    },
  },
  {
    // Sequence output [T, V] against labels [T]: every position scored, means over positions and samples.
    body: {
      name: "embedding, sequence output",
      input: "input tokens: int32[6]",
      shape: [6],
      spatial: false,
      statements: "embedding(10, 8) -> layernorm -> dense(8, activation: relu)",
      losses: [],
    },
    loss: "sparse_categorical_crossentropy",
    head: {
      statements: "dense(10, activation: softmax)",
      labels: { kind: "tokens", vocabulary: 10 },
      metrics: ["accuracy", "sparse_categorical_accuracy"],
    },
    tokens: true,
  },
  {
    body: {
      name: "embedding, flattened",
      input: "input tokens: int32[6]",
      shape: [6],
      spatial: true,
      statements: "embedding(10, 4)",
      losses: [],
    },
    loss: "binary_crossentropy",
    head: headFor("binary_crossentropy", true),
    tokens: true,
  },
];

export function headFor(loss: Loss, spatial: boolean): Head {
  const flat = spatial ? "flatten -> " : "";
  switch (loss) {
    case "sparse_categorical_crossentropy":
      return {
        statements: `${flat}dense(4, activation: softmax)`,
        labels: { kind: "classes", classes: 4 },
        metrics: ["accuracy", "sparse_categorical_accuracy"],
      };
    case "categorical_crossentropy":
      // Class ids: the runtime one-hots them; the reference gets one-hot labels built by hand.
      return {
        statements: `${flat}dense(4, activation: softmax)`,
        labels: { kind: "classes", classes: 4 },
        metrics: ["accuracy", "categorical_accuracy", "mse", "mae"],
      };
    case "binary_crossentropy":
      // 0/1 integers, as a CSV label column of 0s and 1s reads.
      return {
        statements: `${flat}dense(1, activation: sigmoid)`,
        labels: { kind: "binary" },
        metrics: ["accuracy", "binary_accuracy", "mse", "mae"],
      };
    case "mse":
      // One float per sample against dense(1): the `[B]` vs `[B, 1]` case. `accuracy` resolves to binary here.
      return {
        statements: `${flat}dense(1)`,
        labels: { kind: "regression", shape: [] },
        metrics: ["mse", "mae", "accuracy"],
      };
    case "mae":
      // Two floats per sample; `accuracy` resolves to categorical (last axis 2, not a binary loss).
      return {
        statements: `${flat}dense(2)`,
        labels: { kind: "regression", shape: [2] },
        metrics: ["mae", "mse", "accuracy"],
      };
  }
}
