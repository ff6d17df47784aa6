import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Optimizer } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import { initBackend } from "../../runtime/backend/index.js";
import { loadText } from "../../runtime/data/text.js";
import type { Dataset } from "../../runtime/data/index.js";
import { maxAbsDiff } from "../runtime/engine-fixtures.js";
import { REPO as REPO_ROOT } from "../support/run-cli.js";
import { batchesFor, compilePlan, referenceRun } from "./plan-fixtures.js";
import { trainPlan } from "./run-plan.js";

/**
 * The shipped `examples/tiny-gpt.model` itself (and a variant with dropout 0.1 in every block), on windows of
 * the real novel, trained 20 steps under each kind of plan on 2–4 devices over both transports, equals 1 device
 * (the oracle: plain tfjs with Keras's loss, same seed, same global batches). Global batches of 8 windows keep
 * the whole file near a minute on two cores; the layouts are the ones a 32-window batch gets.
 */

const STEPS = 20;
const SEED = 42;
/** The example's optimizer (adam, lr 0.001) with Keras's epsilon, as `train` passes it. */
const ADAM: Optimizer = { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const EXAMPLE = readFileSync(join(REPO_ROOT, "examples", "tiny-gpt.model"), "utf8");
const WITH_DROPOUT = EXAMPLE.replace(
  "decoder(_, heads: 4, width: 128, hidden: 512)",
  "decoder(_, heads: 4, width: 128, hidden: 512, drop: 0.1)",
);

let novel: Dataset;
beforeAll(async () => {
  await initBackend("wasm");
  novel = await loadText("moby_dick", 64, [64]);
}, 60_000);

const splits = (plan: Plan, op: string) =>
  plan.layers.filter((l) => l.op === op).map((l) => l.placement.split);

async function expectSameAsOneDevice(
  compiled: ReturnType<typeof compilePlan>,
  transport: "thread" | "process",
): Promise<void> {
  const batches = batchesFor(novel.count, 8, STEPS);
  const micro = compiled.plan.schedule.microbatches;
  const reference = await referenceRun(
    compiled.model,
    novel,
    batches,
    ADAM,
    micro,
    SEED,
    "sparse_categorical_crossentropy",
  );
  const got = await trainPlan(
    compiled,
    novel,
    batches,
    ADAM,
    SEED,
    transport,
    "sparse_categorical_crossentropy",
  );
  got.losses.forEach((sum, s) =>
    expect(Math.abs(sum / batches[s]!.length - reference.losses[s]!), `step ${s + 1}`).toBeLessThanOrEqual(
      1e-4 * Math.max(1, reference.losses[s]!),
    ),
  );
  expect(maxAbsDiff(reference.weights, got.weights)).toBeLessThanOrEqual(1e-4);
  // The run learned something: the loss fell from the uniform guess's ln 89 ≈ 4.49.
  expect(reference.losses.at(-1)!).toBeLessThan(reference.losses[0]! - 0.05);
}

describe("examples/tiny-gpt.model, 20 steps on Moby-Dick, equals 1 device", () => {
  it("data × 2 over device processes", async () => {
    const compiled = compilePlan(EXAMPLE, { strategy: "data", devices: 2 }, SEED);
    expect(compiled.plan.layers.every((l) => l.placement.dataDegree === 2)).toBe(true);
    await expectSameAsOneDevice(compiled, "process");
  }, 240_000);

  it("model × 2 with dropout: heads, column → row, vocabulary embedding and loss, on threads", async () => {
    const compiled = compilePlan(WITH_DROPOUT, { strategy: "model", devices: 2 }, SEED);
    expect(splits(compiled.plan, "attention")).toEqual(["heads", "heads", "heads", "heads"]);
    expect(splits(compiled.plan, "dense")).toContain("input_features");
    expect(splits(compiled.plan, "embedding")).toEqual(["vocabulary"]);
    await expectSameAsOneDevice(compiled, "thread");
  }, 240_000);

  it("2 pipeline stages with dropout over device processes", async () => {
    const compiled = compilePlan(WITH_DROPOUT, { strategy: "pipeline", devices: 2, microbatches: 2 }, SEED);
    expect(compiled.plan.schedule.stages).toBe(2);
    await expectSameAsOneDevice(compiled, "process");
  }, 240_000);

  it("3 pipeline stages on threads", async () => {
    const compiled = compilePlan(EXAMPLE, { strategy: "pipeline", devices: 3, microbatches: 4 }, SEED);
    expect(compiled.plan.schedule.stages).toBe(3);
    await expectSameAsOneDevice(compiled, "thread");
  }, 240_000);

  it("a d2 × m2 hybrid on 4 threads", async () => {
    const split = compilePlan(WITH_DROPOUT, { strategy: "model", devices: 2 }, SEED);
    const devices = [0, 1, 2, 3];
    const plan: Plan = {
      ...split.plan,
      devices: { ...split.plan.devices, count: 4 },
      layers: split.plan.layers.map((l) => ({
        ...l,
        placement: { ...l.placement, kind: "hybrid", dataDegree: 2, devices },
      })),
    };
    await expectSameAsOneDevice({ ...split, plan }, "thread");
  }, 240_000);
});
