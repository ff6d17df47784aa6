import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Optimizer } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { DataParallelGroup, type GroupOptions } from "../../runtime/train/data-parallel-group.js";
import type { TrainingState } from "../../runtime/train/training-group.js";
import type { NamedArray } from "../../runtime/worker/optimizer.js";
import {
  bnDropoutModel,
  maxAbsDiff,
  seedMlp,
  setDeterministicWeights,
  syntheticData,
} from "./engine-fixtures.js";

/**
 * ZeRO-1 (runtime/train/sharded-update.ts): each replica updates only its slice of the weights and optimizer
 * state. The oracle is the plain 1-device run on the same global batches: weights, reported losses and the
 * checkpointed optimizer state (in the 1-device layout) must agree to 1e-4, and a sharded run must resume
 * from a checkpoint on another device count.
 */

const SEED = 11;
const ADAM: Optimizer = { kind: "adam", lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const MOMENTUM: Optimizer = { kind: "sgd", lr: 0.05, momentum: 0.9, nesterov: true };
const RMSPROP: Optimizer = { kind: "rmsprop", lr: 0.005, rho: 0.9, epsilon: 1e-7 };

function batchesFor(count: number, batch: number, steps: number, from = 0): Uint32Array[] {
  return Array.from({ length: steps }, (_, s) =>
    Uint32Array.from({ length: batch }, (_, r) => ((s + from) * 29 + r * 7) % count),
  );
}

interface Run extends TrainingState {
  readonly losses: number[];
}

async function train(
  options: Omit<GroupOptions, "seed" | "backend" | "loss" | "metrics">,
  batches: readonly Uint32Array[],
  firstStep = 0,
): Promise<Run> {
  const group = await DataParallelGroup.start({
    ...options,
    seed: SEED,
    backend: "wasm",
    loss: "sparse_categorical_crossentropy",
    metrics: ["accuracy"],
  });
  try {
    const losses: number[] = [];
    for (const [s, indices] of batches.entries()) {
      const r = await group.step(firstStep + s, indices);
      losses.push(r.lossSum / r.rows);
    }
    return { ...(await group.state()), losses };
  } finally {
    await group.close();
  }
}

function expectSameState(actual: readonly NamedArray[], expected: readonly NamedArray[]): void {
  expect(actual.map((s) => [s.name, s.shape])).toEqual(expected.map((s) => [s.name, s.shape]));
  expect(
    maxAbsDiff(
      actual.map((s) => s.data),
      expected.map((s) => s.data),
    ),
  ).toBeLessThanOrEqual(1e-4);
}

interface Case {
  readonly name: string;
  readonly make: () => tf.LayersModel;
  readonly data: () => Dataset;
  readonly optimizer: Optimizer;
  readonly batch: number;
  /** 3 devices run with small odd buckets: slices span several buckets and cut weights in the middle. */
  readonly devices: readonly number[];
}

const cases: readonly Case[] = [
  {
    name: "seed MLP, Adam",
    make: seedMlp,
    data: () => syntheticData(192, 10, [28, 28]),
    optimizer: ADAM,
    batch: 32,
    devices: [2, 3],
  },
  {
    name: "batchnorm + dropout, Nesterov momentum",
    make: bnDropoutModel,
    data: () => syntheticData(96, 4, [12, 12, 1]),
    optimizer: MOMENTUM,
    batch: 16,
    devices: [2],
  },
  {
    name: "seed MLP, RMSprop",
    make: seedMlp,
    data: () => syntheticData(128, 10, [28, 28]),
    optimizer: RMSPROP,
    batch: 12,
    devices: [3],
  },
];

describe("ZeRO-1: optimizer state and update split over the replicas", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  for (const c of cases) {
    it(`${c.name}: ${c.devices.join(" and ")} sharded devices equal 1 device, weights, losses and optimizer state`, async () => {
      const model = c.make();
      setDeterministicWeights(model, 5);
      const data = c.data();
      const batches = batchesFor(data.count, c.batch, 10);
      const common = { model, train: data, optimizer: c.optimizer };
      const reference = await train1(common, batches);
      for (const devices of c.devices) {
        const run = await train(
          { ...common, devices, optimizerSharding: "zero-1", ...(devices === 3 ? { bucket: 1031 } : {}) },
          batches,
        );
        expect(maxAbsDiff(run.weights, reference.weights), `${devices} devices`).toBeLessThanOrEqual(1e-4);
        run.losses.forEach((loss, s) =>
          expect(Math.abs(loss - reference.losses[s]!)).toBeLessThanOrEqual(1e-4),
        );
        expectSameState(run.optimizerState, reference.optimizerState);
      }
    });
  }

  it("resumes a sharded run's checkpoint on another device count, sharded or not", async () => {
    const model = seedMlp();
    setDeterministicWeights(model, 9);
    const data = syntheticData(160, 10, [28, 28]);
    const first = batchesFor(data.count, 20, 6);
    const second = batchesFor(data.count, 20, 6, 6);
    const common = { train: data, optimizer: ADAM };
    const reference = await train1({ ...common, model }, [...first, ...second]);

    const half = await train({ ...common, model, devices: 2, optimizerSharding: "zero-1" }, first);
    const resumed = seedMlp();
    resumed.setWeights(resumed.weights.map((w, i) => tf.tensor(half.weights[i]!, w.shape as number[])));
    for (const [devices, sharding] of [
      [3, "zero-1"],
      [1, "replicated"],
    ] as const) {
      const rest = await train(
        {
          ...common,
          model: resumed,
          devices,
          optimizerSharding: sharding,
          optimizerState: half.optimizerState,
        },
        second,
        first.length,
      );
      expect(maxAbsDiff(rest.weights, reference.weights), `${devices} devices`).toBeLessThanOrEqual(1e-4);
      expectSameState(rest.optimizerState, reference.optimizerState);
    }
  });

  it("runs on device processes too", async () => {
    const model = seedMlp();
    setDeterministicWeights(model, 2);
    const data = syntheticData(96, 10, [28, 28]);
    const batches = batchesFor(data.count, 16, 5);
    const reference = await train1({ model, train: data, optimizer: ADAM }, batches);
    const run = await train(
      { model, train: data, optimizer: ADAM, devices: 2, optimizerSharding: "zero-1", transport: "process" },
      batches,
    );
    expect(maxAbsDiff(run.weights, reference.weights)).toBeLessThanOrEqual(1e-4);
    expectSameState(run.optimizerState, reference.optimizerState);
  });
});

/** The oracle: one device, the whole update. */
function train1(
  options: Pick<GroupOptions, "model" | "train" | "optimizer">,
  batches: readonly Uint32Array[],
): Promise<Run> {
  return train({ ...options, devices: 1 }, batches);
}
