import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TrainingConfig } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { loadCheckpoint } from "../../runtime/checkpoint/index.js";
import type { NamedArray } from "../../runtime/worker/optimizer.js";
import { TrainingFailure, trainModel } from "../../runtime/index.js";
import { maxAbsDiff, syntheticData } from "../runtime/engine-fixtures.js";
import { MLP, compilePlan } from "./plan-fixtures.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeAll(async () => {
  await initBackend("wasm");
});

const training: TrainingConfig = {
  optimizer: { kind: "adam", lr: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  loss: "sparse_categorical_crossentropy",
  metrics: ["accuracy"],
  epochs: 1,
  batch: 16,
  validation: 0.1,
  seed: 5,
  spans: {},
};

interface Run {
  readonly weights: Float32Array[];
  readonly optimizer: NamedArray[];
  readonly lines: string;
  readonly saveDir: string;
}

async function run(plan: boolean, steps: number, resume?: string): Promise<Run> {
  const compiled = compilePlan(MLP, { strategy: "model", devices: 2 }, 5);
  const saveDir = mkdtempSync(join(tmpdir(), "mgpuc-plan-"));
  dirs.push(saveDir);
  let lines = "";
  await trainModel({
    model: compiled.model,
    modelName: "Mlp",
    training,
    dataset: syntheticData(160, 10, [28, 28]),
    devices: plan ? 2 : 1,
    steps,
    saveDir,
    ...(resume === undefined ? {} : { resume }),
    baseDir: ".",
    out: (chunk) => (lines += chunk),
    tty: false,
    backend: "wasm",
    ...(plan ? { plan: compiled.plan } : {}),
  });
  const loaded = await loadCheckpoint(saveDir);
  const weights = loaded.model.getWeights().map((t) => Float32Array.from(t.dataSync()));
  loaded.model.dispose();
  return { weights, optimizer: loaded.optimizerState, lines, saveDir };
}

function sameState(a: Run, b: Run): void {
  expect(a.weights.map((w) => w.length)).toEqual(b.weights.map((w) => w.length));
  expect(maxAbsDiff(a.weights, b.weights)).toBeLessThanOrEqual(1e-4);
  // Adam's moments, gathered from the shards, in the 1-device names and layout.
  expect(a.optimizer.map((s) => [s.name, s.shape])).toEqual(b.optimizer.map((s) => [s.name, s.shape]));
  expect(a.optimizer.length).toBeGreaterThan(1);
  expect(
    maxAbsDiff(
      a.optimizer.map((s) => s.data),
      b.optimizer.map((s) => s.data),
    ),
  ).toBeLessThanOrEqual(1e-4);
}

it("trainModel runs a model-parallel plan; checkpoints are the whole model in the 1-device layout", async () => {
  const single = await run(false, 6);
  const planned = await run(true, 6);
  sameState(planned, single);
  expect(planned.lines).toMatch(/val/);
  // A 1-device checkpoint resumes under the plan: 3 + 3 steps equal 6.
  const half = await run(false, 3);
  const resumed = await run(true, 6, half.saveDir);
  sameState(resumed, single);
}, 120_000);

it("a pipeline device killed mid-step fails the run naming the device and the step", async () => {
  const compiled = compilePlan(MLP, { strategy: "pipeline", devices: 2, microbatches: 2 }, 5);
  const failure = await trainModel({
    model: compiled.model,
    modelName: "Mlp",
    training,
    dataset: syntheticData(160, 10, [28, 28]),
    devices: 2,
    steps: 4,
    saveDir: null,
    baseDir: ".",
    out: () => {},
    tty: false,
    backend: "wasm",
    plan: compiled.plan,
    faultInjection: { killDevice: 0, atStep: 2 },
  }).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(TrainingFailure);
  expect((failure as TrainingFailure).device).toBe(0);
  expect((failure as TrainingFailure).step).toBe(2);
}, 60_000);
