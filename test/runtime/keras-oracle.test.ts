import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { LocalCollective } from "../../runtime/collectives/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { shareDataset } from "../../runtime/worker/shared-dataset.js";
import { Replica } from "../../runtime/train/replica.js";
import { packShared } from "../../runtime/worker/shared-arrays.js";
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
import { labelledData } from "../support/labelled-data.js";
import { BODIES, type Body, type Head, headFor, SHAPED } from "./keras-oracle-cases.js";

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
      optimizerSharding: "replicated",
    },
    new LocalCollective(),
  );
  try {
    const s = await replica.step(0, indices);
    const v = await replica.evaluate(5);
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
