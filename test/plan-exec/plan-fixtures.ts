import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Loss, Optimizer, Strategy } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import { compileSource } from "../../compiler/pipeline.js";
import type { MicrobatchOrder } from "../../compiler/plan/index.js";
import { SourceFile } from "../../compiler/diagnostics/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { buildModel, initializeWeights } from "../../runtime/model/index.js";
import { shardBounds } from "../../runtime/worker/shards.js";
import { kerasAccumulatedStep, kerasBatch, kerasModel, weightsOf } from "../support/keras-reference.js";
import { REPO as REPO_ROOT } from "../support/run-cli.js";

export const LOSS: Loss = "sparse_categorical_crossentropy";
export const SGD: Optimizer = { kind: "sgd", lr: 0.05, momentum: 0, nesterov: false };
export const ADAM: Optimizer = { kind: "adam", lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export const MLP = `model Mlp {
  input image: [28, 28]
  flatten
  dense(128, activation: relu)
  dropout(0.2)
  dense(10, activation: softmax)
}`;

/** The seed CNN's layer kinds, smaller. */
export const CNN = `model Cnn {
  input image: [12, 12, 1]
  conv2d(8, kernel: 3, activation: relu)
  maxpool2d(2)
  flatten
  dense(32, activation: relu)
  dense(10, activation: softmax)
}`;

/** A tiny residual net: conv, batchnorm, add. */
export const RESIDUAL = `block residual(x, filters: int) {
  conv2d(filters, kernel: 3, padding: same) -> batchnorm -> relu
  conv2d(filters, kernel: 3, padding: same) -> batchnorm
  add(_, x) -> relu
}
model Res {
  input image: [8, 8, 3]
  conv2d(6, kernel: 3, padding: same, activation: relu)
  repeat 2 { residual(_, 6) }
  global_avg_pool2d
  dense(10, activation: softmax)
}`;

/**
 * A regression MLP for float labels (mse, mae): dense, dropout, one linear output. The hints (followed under
 * `auto` only) split the hidden layers and keep the one-unit output whole: `strategy: model` would cut dense(1)
 * into a 0-unit shard, which the runtime cannot build (a placement defect, reported separately).
 */
export const REGRESSION = `model Reg {
  input x: [10]
  dense(16, activation: relu) @model
  dropout(0.1)
  dense(8, activation: tanh) @model
  dense(1) @data
}`;

/** A binary classifier for 0/1 labels: conv, batchnorm, pooling, dense(1, sigmoid); hinted as REGRESSION. */
export const BINARY = `model Bin {
  input image: [8, 8, 1]
  conv2d(4, kernel: 3, padding: same) @model -> batchnorm -> relu
  maxpool2d(2)
  flatten
  dense(8, activation: relu) @model
  dense(1, activation: sigmoid) @data
}`;

/** A small causal transformer over 12 characters: embeddings, attention with dropout, an MLP, per-position softmax. */
export const TRANSFORMER = `block decoder(x, heads: int, width: int) {
  layernorm -> attention(heads, causal: true, dropout: 0.1) -> dropout(0.1)
  h = add(_, x)
  layernorm -> dense(32, activation: gelu) -> dense(width)
  add(_, h)
}
model Tiny {
  input tokens: int32[8]
  x = embedding(12, 16)
  p = position_embedding(8)
  add(x, p)
  repeat 2 { decoder(_, heads: 2, width: 16) }
  layernorm
  dense(12, activation: softmax)
}`;

export interface Compiled {
  readonly plan: Plan;
  /** The whole model, seeded initial weights. */
  readonly model: tf.LayersModel;
}

/** A plan from the real compiler, and the 1-device model with the seed's initial weights. */
export function compilePlan(
  text: string,
  options: {
    strategy: Strategy;
    devices: number;
    microbatches?: number;
    profile?: string;
    microbatchOrder?: MicrobatchOrder;
  },
  seed: number,
): Compiled {
  const source = new SourceFile("test.model", text);
  const result = compileSource(source, options);
  if (result.plan === undefined || result.graph === undefined)
    throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  const model = buildModel(result.graph);
  initializeWeights(model, seed);
  return { plan: result.plan, model };
}

/**
 * The 1-device oracle in plain tfjs, independent of the runtime's loss and label code: the whole model compiled
 * with tfjs-layers' own loss (stock batchnorm, CounterDropout), labels built the Keras way
 * (test/support/keras-reference.ts); each global batch cut into `microbatches` as the pipeline cuts it, the
 * micro-batches' gradients (each ∇ mean loss × rows ÷ B) summed, then one step — `trainOnBatch` when there is
 * one micro-batch. Returns the trained weights and each step's loss before its update.
 */
export async function referenceRun(
  model: tf.LayersModel,
  data: Dataset,
  batches: readonly Uint32Array[],
  optimizerConfig: Optimizer,
  microbatches: number,
  seed: number,
  loss: Loss = LOSS,
): Promise<{ weights: Float32Array[]; losses: number[] }> {
  const copy = await kerasModel(model, {
    loss,
    metrics: [],
    optimizer: optimizerConfig,
    counterDropout: true,
  });
  const outputShape = model.outputs[0]!.shape.slice(1) as number[];
  const losses: number[] = [];
  try {
    for (const [step, indices] of batches.entries()) {
      const B = indices.length;
      const M = Math.min(microbatches, B);
      const micro = Array.from({ length: M }, (_, m) => {
        const [lo, hi] = shardBounds(B, M, m);
        return { ...kerasBatch(data, indices.slice(lo, hi), loss, outputShape), offset: lo };
      });
      losses.push(await kerasAccumulatedStep(copy, micro, B, step, seed));
      tf.dispose(micro.flatMap((m) => [m.x, m.y]));
    }
    return { weights: weightsOf(copy), losses };
  } finally {
    copy.dispose();
  }
}

/** `referenceRun`'s trained weights alone. */
export async function referenceTrain(
  model: tf.LayersModel,
  data: Dataset,
  batches: readonly Uint32Array[],
  optimizerConfig: Optimizer,
  microbatches: number,
  seed: number,
  loss: Loss = LOSS,
): Promise<Float32Array[]> {
  return (await referenceRun(model, data, batches, optimizerConfig, microbatches, seed, loss)).weights;
}

export function batchesFor(count: number, batch: number, steps: number): Uint32Array[] {
  return Array.from({ length: steps }, (_, s) =>
    Uint32Array.from({ length: batch }, (_, r) => (s * 37 + r * 11) % count),
  );
}

/**
 * `profiles/cpu.json` without its fixed-cost fields, i.e. priced by the v1 formula alone (absent fields count
 * as 0). Under it `auto` picks d × m grids and data-parallel pipeline stages for the small test models, so the
 * hybrid cases keep exercising hybrids whatever this machine's calibration says is fastest today.
 */
export function v1CpuProfile(): string {
  const cpu = JSON.parse(readFileSync(join(REPO_ROOT, "profiles", "cpu.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const core = [
    "name",
    "source",
    "rate",
    "fp32FlopsPerSecond",
    "memoryBytes",
    "memoryBandwidth",
    "linkBandwidth",
    "linkLatency",
  ];
  const path = join(mkdtempSync(join(tmpdir(), "mgpuc-profile-")), "cpu-v1.json");
  writeFileSync(path, JSON.stringify(Object.fromEntries(core.map((k) => [k, cpu[k]]))));
  return path;
}
