import { beforeAll, describe, expect, it } from "vitest";
import type { Optimizer } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import { initBackend } from "../../runtime/backend/index.js";
import { maxAbsDiff } from "../runtime/engine-fixtures.js";
import { labelledData } from "../support/labelled-data.js";
import { scoresOnShards } from "../../compiler/plan/sharded-loss.js";
import { LOSS, TRANSFORMER, batchesFor, compilePlan, referenceRun } from "./plan-fixtures.js";
import { trainPlan } from "./run-plan.js";

/**
 * Megatron-LM's layouts as the plan executor runs them, beyond the planner's own choices in equivalence.test.ts:
 * a d × m grid where partial sums of row-sliced layers are added up across data groups too, device processes,
 * and a degree that splits units and vocabulary unevenly and does not divide the heads. The oracle as always:
 * 1 device, same seed, same global batches.
 */

beforeAll(async () => {
  await initBackend("wasm");
});

const STEPS = 12;
const SEED = 5;
const SGD: Optimizer = { kind: "sgd", lr: 0.05, momentum: 0.9, nesterov: false };
const data = () => labelledData(64, [8], { kind: "tokens", vocabulary: 12 }, 1, 12);

/** The model-split plan on `m` devices, each layer moved onto a d × m grid of all d·m devices (a hand edit). */
function grid(d: number, m: number): ReturnType<typeof compilePlan> {
  const compiled = compilePlan(TRANSFORMER, { strategy: "model", devices: m }, SEED);
  const devices = Array.from({ length: d * m }, (_, i) => i);
  const plan: Plan = {
    ...compiled.plan,
    devices: { ...compiled.plan.devices, count: d * m },
    layers: compiled.plan.layers.map((l) => ({
      ...l,
      placement: { ...l.placement, kind: "hybrid", dataDegree: d, devices },
    })),
  };
  return { ...compiled, plan };
}

async function expectSameAsOneDevice(
  compiled: ReturnType<typeof compilePlan>,
  transport: "thread" | "process",
): Promise<void> {
  const batches = batchesFor(64, 12, STEPS);
  const reference = await referenceRun(compiled.model, data(), batches, SGD, 1, SEED);
  const got = await trainPlan(compiled, data(), batches, SGD, SEED, transport);
  expect(maxAbsDiff(reference.weights, got.weights)).toBeLessThanOrEqual(1e-4);
  got.losses.forEach((sum, s) =>
    expect(Math.abs(sum / batches[s]!.length - reference.losses[s]!), `step ${s + 1}`).toBeLessThanOrEqual(
      1e-4,
    ),
  );
  const initial = compiled.model.getWeights().map((t) => Float32Array.from(t.dataSync()));
  expect(maxAbsDiff(initial, got.weights)).toBeGreaterThan(1e-3);
}

const splits = (plan: Plan, op: string) =>
  plan.layers.filter((l) => l.op === op).map((l) => l.placement.split);

describe("a small GPT under Megatron layouts equals 1 device", () => {
  it("d2 × m2 on 4 threads: vocabulary, heads and column → row, partial sums added across the data groups", async () => {
    const compiled = grid(2, 2);
    expect(splits(compiled.plan, "embedding")).toEqual(["vocabulary"]);
    expect(splits(compiled.plan, "attention")).toEqual(["heads", "heads"]);
    expect(splits(compiled.plan, "dense")).toContain("input_features");
    await expectSameAsOneDevice(compiled, "thread");
  }, 120_000);

  it("d2 × m2 on the op-by-op tape WebGPU devices step with (MGPUC_ASYNC_READS=1, on wasm)", async () => {
    process.env.MGPUC_ASYNC_READS = "1";
    try {
      await expectSameAsOneDevice(grid(2, 2), "thread");
    } finally {
      delete process.env.MGPUC_ASYNC_READS;
    }
  }, 120_000);

  it("model × 2 over device processes", async () => {
    await expectSameAsOneDevice(compilePlan(TRANSFORMER, { strategy: "model", devices: 2 }, SEED), "process");
  }, 120_000);

  it("the loss and accuracy scored on the output's class blocks equal 1 device's, every step", async () => {
    const split = compilePlan(TRANSFORMER, { strategy: "model", devices: 2 }, SEED);
    const output = split.plan.layers.find((l) => l.name === split.plan.graph.outputs[0])!;
    expect(scoresOnShards(output, LOSS, ["accuracy"])).toBe(true);
    const one = compilePlan(TRANSFORMER, { strategy: "data", devices: 1 }, SEED);
    const batches = batchesFor(64, 12, STEPS);
    const run = (c: typeof one) => trainPlan(c, data(), batches, SGD, SEED, "thread", LOSS, ["accuracy"]);
    const [whole, sharded] = [await run(one), await run(split)];
    expect(maxAbsDiff(whole.weights, sharded.weights)).toBeLessThanOrEqual(1e-4);
    sharded.losses.forEach((l, s) => expect(Math.abs(l - whole.losses[s]!)).toBeLessThanOrEqual(1e-3));
    // Summed over 12 samples of 8 positions: one position whose argmax flips on a near-tie moves it by 1/8.
    sharded.metricSums.forEach(([a], s) =>
      expect(Math.abs(a! - whole.metricSums[s]![0]!), `step ${s + 1}`).toBeLessThanOrEqual(0.125),
    );
    expect(sharded.metricSums.some(([a]) => a! > 0)).toBe(true);
  }, 120_000);

  it("model × 3: units and the vocabulary split unevenly, 2 heads left whole", async () => {
    const compiled = compilePlan(TRANSFORMER, { strategy: "model", devices: 3 }, SEED);
    expect(splits(compiled.plan, "attention")).toEqual(["none", "none"]);
    expect(splits(compiled.plan, "embedding")).toEqual(["vocabulary"]);
    await expectSameAsOneDevice(compiled, "thread");
  }, 120_000);
});
