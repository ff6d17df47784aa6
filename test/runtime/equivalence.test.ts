import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { DataParallelGroup } from "../../runtime/train/data-parallel-group.js";
import { labelledData } from "../support/labelled-data.js";
import {
  bnDropoutModel,
  maxAbsDiff,
  seedCnn,
  seedMlp,
  setDeterministicWeights,
  syntheticData,
} from "./engine-fixtures.js";
import { referenceTrain } from "./engine-reference.js";

const SEED = 7;

function batchesFor(count: number, batch: number, steps: number): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let s = 0; s < steps; s++) {
    // A fixed, irregular order: equivalence must not depend on contiguous rows.
    out.push(Uint32Array.from({ length: batch }, (_, r) => (s * 37 + r * 11) % count));
  }
  return out;
}

interface Run {
  readonly weights: Float32Array[];
  /** Per step: the loss and each metric, means over the global batch. */
  readonly steps: number[][];
}

async function trainOn(
  devices: number,
  model: tf.LayersModel,
  data: Dataset,
  batches: Uint32Array[],
  c: Case,
): Promise<Run> {
  const group = await DataParallelGroup.start({
    model,
    devices,
    optimizer: c.optimizer,
    loss: c.loss,
    metrics: c.metrics,
    seed: SEED,
    train: data,
    backend: "wasm",
    // 3 devices also run with small, odd-sized buckets, so gradients straddle bucket boundaries.
    ...(devices === 3 ? { bucket: 4099 } : {}),
  });
  try {
    const steps: number[][] = [];
    for (const [step, indices] of batches.entries()) {
      const r = await group.step(step, indices);
      steps.push([r.lossSum, ...r.metricSums].map((s) => s / r.rows));
    }
    return { weights: (await group.state()).weights, steps };
  } finally {
    await group.close();
  }
}

/** A regression MLP: dense → dropout → one linear output (mse / mae against float labels). */
function regressionMlp(): tf.LayersModel {
  return tf.sequential({
    name: "regression",
    layers: [
      tf.layers.dense({ inputShape: [10], units: 16, activation: "relu", name: "dense" }),
      tf.layers.dropout({ rate: 0.2, name: "dropout" }),
      tf.layers.dense({ units: 1, name: "dense_1" }),
    ],
  });
}

/** A binary classifier: conv → batchnorm → dense(1, sigmoid) (binary cross-entropy against 0/1 labels). */
function binaryCnn(): tf.LayersModel {
  return tf.sequential({
    name: "binary",
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, name: "conv2d" }),
      tf.layers.batchNormalization({ name: "batch_normalization" }),
      tf.layers.activation({ activation: "relu", name: "activation" }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({ units: 1, activation: "sigmoid", name: "dense" }),
    ],
  });
}

interface Case {
  readonly name: string;
  readonly make: () => tf.LayersModel;
  readonly data: () => Dataset;
  readonly batch: number;
  readonly steps: number;
  readonly loss: Loss;
  readonly metrics: readonly string[];
  readonly optimizer: Optimizer;
  readonly devices: readonly number[];
}

const sgd = (lr: number): Optimizer => ({ kind: "sgd", lr, momentum: 0, nesterov: false });
const SPARSE: Loss = "sparse_categorical_crossentropy";

const cases: readonly Case[] = [
  {
    name: "seed MLP",
    make: seedMlp,
    data: () => syntheticData(256, 10, [28, 28]),
    batch: 32,
    steps: 20,
    loss: SPARSE,
    metrics: ["accuracy"],
    optimizer: sgd(0.05),
    devices: [1, 2, 3],
  },
  {
    name: "seed CNN",
    make: seedCnn,
    data: () => syntheticData(128, 10, [28, 28, 1]),
    batch: 10,
    steps: 20,
    loss: SPARSE,
    metrics: ["accuracy"],
    optimizer: sgd(0.05),
    devices: [1, 2, 3],
  },
  {
    name: "batchnorm + dropout",
    make: bnDropoutModel,
    data: () => syntheticData(128, 4, [12, 12, 1]),
    batch: 32,
    steps: 20,
    loss: SPARSE,
    metrics: ["accuracy"],
    optimizer: sgd(0.05),
    devices: [1, 2, 3],
  },
  {
    name: "regression MLP, mse on float labels",
    make: regressionMlp,
    data: () => labelledData(96, [10], { kind: "regression", shape: [] }),
    batch: 12,
    steps: 10,
    loss: "mse",
    metrics: ["mae"],
    optimizer: sgd(0.05),
    devices: [1, 2, 3],
  },
  {
    name: "regression MLP, mae on float labels",
    make: regressionMlp,
    data: () => labelledData(96, [10], { kind: "regression", shape: [] }),
    batch: 12,
    steps: 10,
    loss: "mae",
    metrics: ["mse"],
    optimizer: sgd(0.05),
    devices: [1, 2],
  },
  {
    name: "binary CNN with batchnorm, 0/1 labels",
    make: binaryCnn,
    data: () => labelledData(64, [8, 8, 1], { kind: "binary" }),
    batch: 16,
    steps: 10,
    loss: "binary_crossentropy",
    metrics: ["accuracy", "mse"],
    optimizer: sgd(0.1),
    devices: [1, 2],
  },
];

describe("N devices equal one, and equal plain tfjs", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  for (const c of cases) {
    it(`${c.name}: ${c.devices.join(", ")} devices and trainOnBatch agree after ${c.steps} steps`, async () => {
      const model = c.make();
      setDeterministicWeights(model, 3);
      const data = c.data();
      // 3 devices get uneven shards (32 = 11 + 11 + 10).
      const batches = batchesFor(data.count, c.batch, c.steps);
      const reference = await referenceTrain(model, data, batches, { ...c, seed: SEED });
      const initial = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
      expect(maxAbsDiff(initial, reference.weights)).toBeGreaterThan(1e-3);
      for (const devices of c.devices) {
        const run = await trainOn(devices, model, data, batches, c);
        expect(
          maxAbsDiff(run.weights, reference.weights),
          `${devices} devices vs trainOnBatch`,
        ).toBeLessThanOrEqual(1e-4);
        // The loss and metrics each step reports are trainOnBatch's, not just finite.
        run.steps.forEach((values, s) =>
          values.forEach((v, i) => {
            const want = reference.steps[s]![i]!;
            expect(Math.abs(v - want), `${devices} devices, step ${s + 1}, value ${i}`).toBeLessThanOrEqual(
              1e-4 * Math.max(1, Math.abs(want)),
            );
          }),
        );
      }
    });
  }
});
