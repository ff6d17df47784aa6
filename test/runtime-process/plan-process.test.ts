import { beforeAll, describe, expect, it } from "vitest";
import type { Strategy } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import { initBackend } from "../../runtime/backend/index.js";
import { needsPlanExecutor } from "../../runtime/plan-exec/index.js";
import { maxAbsDiff, syntheticData } from "../runtime/engine-fixtures.js";
import { ADAM, MLP, RESIDUAL, batchesFor, compilePlan, referenceTrain } from "../plan-exec/plan-fixtures.js";
import { trainPlan } from "../plan-exec/run-plan.js";

const STEPS = 6;
const SEED = 11;

beforeAll(async () => {
  await initBackend("wasm");
});

interface Case {
  readonly label: string;
  readonly strategy: Strategy;
  readonly devices: number;
  readonly microbatches?: number;
  /** A placement forced onto the compiled plan, where the cost model's own pick may change. */
  readonly reshape?: (plan: Plan) => Plan;
}

/**
 * Every layer on a d2 × m2 grid of devices 0-3 (what `auto` picked for this MLP until the cost model changed):
 * split dense layers, row-sliced blocks, all-gathers and per-shard gradient all-reduces in one stage.
 */
function grid(plan: Plan): Plan {
  const placement = {
    kind: "hybrid",
    dataDegree: 2,
    modelDegree: 2,
    stage: 0,
    devices: [0, 1, 2, 3],
  } as const;
  return { ...plan, layers: plan.layers.map((l) => ({ ...l, placement })) };
}

const cases: Case[] = [
  { label: "model×2", strategy: "model", devices: 2 },
  { label: "2-stage pipeline, 2 micro-batches", strategy: "pipeline", devices: 2, microbatches: 2 },
  { label: "auto on 4, as the cost model picks", strategy: "auto", devices: 4 },
  { label: "hybrid d2×m2 on 4", strategy: "model", devices: 2, reshape: grid },
];

describe("plans over device processes equal 1 device", () => {
  for (const c of cases) {
    it(
      c.label,
      async () => {
        const data = syntheticData(48, 10, [28, 28]);
        const batches = batchesFor(48, 12, STEPS);
        const compiled = compilePlan(
          MLP,
          {
            strategy: c.strategy,
            devices: c.devices,
            ...(c.microbatches ? { microbatches: c.microbatches } : {}),
          },
          SEED,
        );
        const plan = c.reshape ? c.reshape(compiled.plan) : compiled.plan;
        // Otherwise trainModel would give it to the data-parallel engine (the plan group still runs it
        // here, whatever `auto` picks).
        if (c.strategy !== "auto") expect(needsPlanExecutor(plan)).toBe(true);
        if (c.strategy === "pipeline") expect(plan.schedule.stages).toBe(2);
        if (c.label === "model×2") expect(plan.layers.some((l) => l.placement.modelDegree === 2)).toBe(true);
        const devices = new Set(plan.layers.flatMap((l) => l.placement.devices)).size;
        const reference = await referenceTrain(
          compiled.model,
          data,
          batches,
          ADAM,
          plan.schedule.microbatches,
          SEED,
        );
        const got = await trainPlan({ ...compiled, plan }, data, batches, ADAM, SEED, "process");
        expect(got.losses.every(Number.isFinite)).toBe(true);
        expect(got.held.map((h) => h.device)).toEqual([...Array(devices).keys()]);
        expect(maxAbsDiff(reference, got.weights)).toBeLessThanOrEqual(1e-4);
        const initial = compiled.model.getWeights().map((t) => Float32Array.from(t.dataSync()));
        expect(maxAbsDiff(initial, got.weights)).toBeGreaterThan(1e-3);
      },
      60_000,
    );
  }
});

/**
 * The compiler's 2-stage pipeline with each stage widened to 2 data-parallel devices (stage s on 2s, 2s+1), so
 * the case does not depend on what the cost model picks for `auto`: stage links fan out to every device of the
 * next stage, and each stage has its own pipe collective. The runtime reads only the layers' placements.
 */
function widened(plan: Plan): Plan {
  return {
    ...plan,
    layers: plan.layers.map((l) => {
      const s = l.placement.stage;
      return {
        ...l,
        placement: { ...l.placement, kind: "data", dataDegree: 2, devices: [2 * s, 2 * s + 1] },
      };
    }),
  };
}

it("a pipeline of data-parallel stages (residual net, 2 × 2 devices) equals the thread transport", async () => {
  const sgd = { kind: "sgd", lr: 0.01, momentum: 0, nesterov: false } as const;
  const data = syntheticData(48, 10, [8, 8, 3]);
  const batches = batchesFor(48, 12, 4);
  const piped = compilePlan(RESIDUAL, { strategy: "pipeline", devices: 2, microbatches: 2 }, SEED);
  expect(piped.plan.schedule.stages).toBe(2);
  const compiled = { ...piped, plan: widened(piped.plan) };
  const threads = await trainPlan(compiled, data, batches, sgd, SEED, "thread");
  const processes = await trainPlan(compiled, data, batches, sgd, SEED, "process");
  expect(processes.held.map((h) => h.device)).toEqual([0, 1, 2, 3]);
  expect(maxAbsDiff(threads.weights, processes.weights)).toBeLessThanOrEqual(1e-4);
  expect(processes.losses).toEqual(threads.losses);
  const initial = compiled.model.getWeights().map((t) => Float32Array.from(t.dataSync()));
  expect(maxAbsDiff(initial, processes.weights)).toBeGreaterThan(1e-4);
}, 60_000);
