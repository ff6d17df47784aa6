import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Optimizer, Strategy } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { maxAbsDiff, syntheticData } from "../runtime/engine-fixtures.js";
import { labelledData } from "../support/labelled-data.js";
import {
  ADAM,
  CNN,
  LOSS,
  MLP,
  RESIDUAL,
  TRANSFORMER,
  batchesFor,
  compilePlan,
  referenceRun,
  v1CpuProfile,
} from "./plan-fixtures.js";
import { trainPlan } from "./run-plan.js";

// The op-by-op tape (runtime/plan-exec/layer-tape.ts) that WebGPU devices step with, run here on wasm
// (MGPUC_ASYNC_READS=1, read by every device the group starts): split and pipelined plans must equal 1 device
// exactly as the one-tape path does (test/plan-exec/equivalence.test.ts), and the two paths each other.

const STEPS = 12;
const SEED = 5;
const SGD: Optimizer = { kind: "sgd", lr: 0.05, momentum: 0, nesterov: false };
const SMALL_SGD: Optimizer = { kind: "sgd", lr: 0.01, momentum: 0, nesterov: false };

interface Case {
  readonly name: string;
  readonly text: string;
  readonly optimizer: Optimizer;
  readonly data: () => Dataset;
  readonly strategy: Strategy;
  readonly devices: number;
  readonly microbatches?: number;
  readonly v1Profile?: boolean;
}

const digits = (shape: readonly number[]) => () => syntheticData(64, 10, shape);
const tokens = () => labelledData(64, [8], { kind: "tokens", vocabulary: 12 }, 1, 12);
const cases: Case[] = [
  // Plain SGD: Adam turns the rounding noise of near-zero gradients into lr-sized steps, and this compares
  // two orders of the same float sums.
  { name: "MLP (dropout)", text: MLP, optimizer: SGD, data: digits([28, 28]), strategy: "model", devices: 2 },
  { name: "CNN", text: CNN, optimizer: ADAM, data: digits([12, 12, 1]), strategy: "model", devices: 2 },
  {
    name: "CNN",
    text: CNN,
    optimizer: ADAM,
    data: digits([12, 12, 1]),
    strategy: "pipeline",
    devices: 3,
    microbatches: 4,
  },
  {
    name: "residual net (batchnorm, add)",
    text: RESIDUAL,
    optimizer: SMALL_SGD,
    data: digits([8, 8, 3]),
    strategy: "model",
    devices: 2,
  },
  {
    name: "residual net (batchnorm, add)",
    text: RESIDUAL,
    optimizer: SMALL_SGD,
    data: digits([8, 8, 3]),
    strategy: "auto",
    devices: 4,
    v1Profile: true,
  },
  { name: "transformer", text: TRANSFORMER, optimizer: SGD, data: tokens, strategy: "model", devices: 2 },
  {
    name: "transformer",
    text: TRANSFORMER,
    optimizer: SGD,
    data: tokens,
    strategy: "pipeline",
    devices: 2,
    microbatches: 2,
  },
];

describe("the op-by-op tape WebGPU devices step with, on wasm", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    delete process.env.MGPUC_ASYNC_READS;
  });

  for (const c of cases) {
    const label = `${c.name}: ${c.strategy} on ${c.devices}${c.microbatches ? `, ${c.microbatches} micro-batches` : ""}`;
    it(`${label} equals 1 device and the one-tape path`, { timeout: 120_000 }, async () => {
      const data = c.data();
      const batches = batchesFor(64, 12, STEPS);
      const compile = () =>
        compilePlan(
          c.text,
          {
            strategy: c.strategy,
            devices: c.devices,
            ...(c.microbatches ? { microbatches: c.microbatches } : {}),
            ...(c.v1Profile ? { profile: v1CpuProfile() } : {}),
          },
          SEED,
        );
      const compiled = compile();
      expect(compiled.plan.layers.some((l) => l.placement.modelDegree > 1 || l.placement.stage > 0)).toBe(
        true,
      );
      const reference = await referenceRun(
        compiled.model,
        data,
        batches,
        c.optimizer,
        compiled.plan.schedule.microbatches,
        SEED,
        LOSS,
      );
      delete process.env.MGPUC_ASYNC_READS;
      const oneTape = await trainPlan(compile(), data, batches, c.optimizer, SEED);
      process.env.MGPUC_ASYNC_READS = "1";
      const opByOp = await trainPlan(compile(), data, batches, c.optimizer, SEED);
      delete process.env.MGPUC_ASYNC_READS;
      opByOp.losses.forEach((sum, s) => {
        const want = reference.losses[s]!;
        expect(Math.abs(sum / batches[s]!.length - want), `step ${s + 1} loss`).toBeLessThanOrEqual(
          1e-4 * Math.max(1, want),
        );
      });
      expect(maxAbsDiff(reference.weights, opByOp.weights), "against 1 device").toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(oneTape.weights, opByOp.weights), "against one tape").toBeLessThanOrEqual(1e-5);
      const initial = compiled.model.getWeights().map((t) => Float32Array.from(t.dataSync()));
      expect(maxAbsDiff(initial, opByOp.weights)).toBeGreaterThan(1e-3);
    });
  }
});
