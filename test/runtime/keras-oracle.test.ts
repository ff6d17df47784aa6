import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { LocalCollective } from "../../runtime/collectives/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { shareDataset } from "../../runtime/train/data-parallel-group.js";
import { Replica } from "../../runtime/train/replica.js";
import { packShared } from "../../runtime/train/shared-arrays.js";
import {
  kerasBatch,
  kerasEvaluate,
  kerasModel,
  kerasTrainOnBatch,
  relativeWeightDiff,
  updates,
  weightsOf,
} from "../support/keras-reference.js";
import { compileModel } from "../support/compile-model.js";
import { type LabelSpec, labelledData } from "../support/labelled-data.js";

/**
 * The tfjs oracle (issue 13): for every loss, metric and layer of LANGUAGE.md, one mgpuc step on one device (the
 * Replica the worker threads run, with a local collective) against plain tfjs `compile` + `trainOnBatch` on the
 * same weights and batch: the same loss and metrics before the step, the same weights after it, and the
 * replica's validation pass equal to `model.evaluate`.
 */

const BATCH = 8;
const SEED = 3;
// Plain SGD: an update proportional to the gradient, so a loss of the wrong scale or shape shows in the weights
// (Adam's first step is ±lr whatever the gradient's size).
const SGD: Optimizer = { kind: "sgd", lr: 0.1, momentum: 0, nesterov: false };

/** A layer stack under test: `.model` statements after the input, and the input's declaration. */
interface Body {
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

const ALL: readonly Loss[] = [
  "sparse_categorical_crossentropy",
  "categorical_crossentropy",
  "binary_crossentropy",
  "mse",
  "mae",
];

const image = { input: "input x: [6, 6, 2]", shape: [6, 6, 2], spatial: true } as const;
const vector = { input: "input x: [8]", shape: [8], spatial: false } as const;

const BODIES: readonly Body[] = [
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
interface Head {
  readonly statements: string;
  readonly labels: LabelSpec;
  readonly metrics: readonly string[];
}

/** Outputs and labels beyond one row of classes or values per sample. */
const SHAPED: readonly { body: Body; loss: Loss; head: Head; tokens?: boolean }[] = [
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

function headFor(loss: Loss, spatial: boolean): Head {
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

function modelText(input: string, statements: string, head: string): string {
  return `model Oracle {\n  ${input}\n  ${statements}\n  ${head}\n}`;
}

function compileOracle(text: string): tf.LayersModel {
  return compileModel(text, SEED);
}

interface Outcome {
  /** Loss and metrics of the training batch, before the update. */
  readonly step: number[];
  /** Loss and metrics over the validation set, after the update. */
  readonly evaluated: number[];
  readonly weights: Float32Array[];
}

/** One mgpuc step as a worker thread runs it: a Replica over a local collective, then its validation pass. */
async function mgpucStep(
  model: tf.LayersModel,
  loss: Loss,
  metrics: readonly string[],
  train: Dataset,
  validation: Dataset,
  indices: Uint32Array,
): Promise<Outcome> {
  const replica = await Replica.create(
    {
      type: "init",
      rank: 0,
      topology: model.toJSON(null, false),
      weights: packShared(weightsOf(model)),
      optimizer: SGD,
      optimizerSlots: [],
      optimizerData: packShared([]),
      loss,
      metrics,
      seed: SEED,
      train: shareDataset(train),
      validation: shareDataset(validation),
      backend: "wasm",
    },
    new LocalCollective(),
  );
  try {
    const s = replica.step(0, indices);
    const v = replica.evaluate(5);
    return {
      step: [s.lossSum, ...s.metricSums].map((x) => x / s.rows),
      evaluated: [v.lossSum, ...v.metricSums].map((x) => x / v.rows),
      weights: (await replica.state()).weights,
    };
  } finally {
    replica.model.dispose();
  }
}

/**
 * The reference for a dilated conv2d: the same conv2d with its kernel spread out (tap (i, j) at (r·i, r·j), zeros
 * between), which tfjs trains without dilation. After the step, the taps are the dilated kernel's update; the
 * zeros between them moved too and are put back before evaluating.
 */
function spreadKernel(w: Float32Array, shape: readonly number[], rate: number, wide: number): Float32Array {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(wide * wide * cin * cout);
  const inner = cin * cout;
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      out.set(
        w.subarray((i * kw + j) * inner, (i * kw + j + 1) * inner),
        (rate * i * wide + rate * j) * inner,
      );
  return out;
}

function gatherKernel(w: Float32Array, shape: readonly number[], rate: number, wide: number): Float32Array {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const out = new Float32Array(kh * kw * cin * cout);
  const inner = cin * cout;
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      out.set(
        w.subarray((rate * i * wide + rate * j) * inner, (rate * i * wide + rate * j + 1) * inner),
        (i * kw + j) * inner,
      );
  return out;
}

interface Reference {
  readonly model: tf.LayersModel;
  /** The reference's weights in the mgpuc model's layout. */
  readonly weights: () => Float32Array[];
  /** Before evaluating: the reference as the mgpuc model would be after the step. */
  readonly settle: () => void;
}

async function referenceFor(body: Body, head: Head, loss: Loss, model: tf.LayersModel): Promise<Reference> {
  const setup = { loss, metrics: head.metrics, optimizer: SGD };
  if (body.dilated === undefined) {
    const copy = await kerasModel(model, setup);
    return { model: copy, weights: () => weightsOf(copy), settle: () => {} };
  }
  const { rate, kernel } = body.dilated;
  const wide = rate * (kernel - 1) + 1;
  const shapes = model.weights.map((w) => w.shape as number[]);
  const spread = compileOracle(modelText(body.input, body.dilated.text, head.statements));
  const wideShapes = spread.weights.map((w) => w.shape as number[]);
  const toWide = (ws: Float32Array[]) =>
    ws.map((w, i) => (wideShapes[i]![0] === shapes[i]![0] ? w : spreadKernel(w, shapes[i]!, rate, wide)));
  const toNarrow = (ws: Float32Array[]) =>
    ws.map((w, i) => (wideShapes[i]![0] === shapes[i]![0] ? w : gatherKernel(w, shapes[i]!, rate, wide)));
  const set = (m: tf.LayersModel, ws: Float32Array[]) => {
    const tensors = ws.map((w, i) => tf.tensor(w, wideShapes[i]!));
    m.setWeights(tensors);
    tf.dispose(tensors);
  };
  set(spread, toWide(weightsOf(model)));
  const copy = await kerasModel(spread, setup);
  spread.dispose();
  return {
    model: copy,
    weights: () => toNarrow(weightsOf(copy)),
    settle: () => set(copy, toWide(toNarrow(weightsOf(copy)))),
  };
}

/** Relative closeness of two lists of scalars (loss and metrics). */
function expectClose(got: readonly number[], want: readonly number[], what: string, tolerance = 1e-5): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    expect(Math.abs(g - w), `${what} [${i}]: ${g} vs ${w}`).toBeLessThanOrEqual(
      tolerance * Math.max(1, Math.abs(w)),
    );
  });
}

async function runCase(body: Body, loss: Loss, head: Head, tokens = false): Promise<void> {
  const model = compileOracle(modelText(body.input, body.statements, head.statements));
  const outputShape = model.outputs[0]!.shape.slice(1) as number[];
  // Token models read token ids (next-token labels, or the head's labels of the ids).
  const vocabulary = tokens && head.labels.kind !== "tokens" ? 10 : undefined;
  const train = labelledData(24, body.shape, head.labels, 1, vocabulary);
  const validation = labelledData(13, body.shape, head.labels, 2, vocabulary);
  const indices = Uint32Array.from({ length: BATCH }, (_, r) => (r * 5 + 2) % train.count);
  const initial = weightsOf(model);

  const reference = await referenceFor(body, head, loss, model);
  const dtype = tokens ? "int32" : "float32";
  const batch = kerasBatch(train, indices, loss, outputShape, dtype);
  const all = Uint32Array.from({ length: validation.count }, (_, i) => i);
  const held = kerasBatch(validation, all, loss, outputShape, dtype);
  try {
    const want = await kerasTrainOnBatch(reference.model, batch.x, batch.y);
    reference.settle();
    const wantEvaluated = kerasEvaluate(reference.model, held.x, held.y, 5);
    const got = await mgpucStep(model, loss, head.metrics, train, validation, indices);

    expectClose(got.step, want, "loss and metrics of the step");
    const wantWeights = reference.weights();
    expect(relativeWeightDiff(got.weights, wantWeights), "weights after the step").toBeLessThanOrEqual(1e-5);
    // The step did something, and what it did is the reference's update (not just close weights).
    const wantUpdate = updates(wantWeights, initial);
    expect(Math.max(...wantUpdate.map((u) => Math.max(...u.map(Math.abs))))).toBeGreaterThan(1e-3);
    expect(
      relativeWeightDiff(updates(got.weights, initial), wantUpdate),
      "update of the step",
    ).toBeLessThanOrEqual(1e-3);
    expectClose(got.evaluated, wantEvaluated, "validation loss and metrics", 1e-4);
  } finally {
    tf.dispose([batch.x, batch.y, held.x, held.y]);
    reference.model.dispose();
    model.dispose();
  }
}

beforeAll(async () => {
  await initBackend("wasm");
});
afterAll(() => {
  tf.disposeVariables();
});

describe("one mgpuc step equals tfjs compile + trainOnBatch, and evaluate equals model.evaluate", () => {
  for (const body of BODIES)
    for (const loss of body.losses)
      it(`${body.name} · ${loss}`, () => runCase(body, loss, headFor(loss, body.spatial)), 30_000);
  for (const c of SHAPED)
    it(`${c.body.name} · ${c.loss}`, () => runCase(c.body, c.loss, c.head, c.tokens), 30_000);
});
