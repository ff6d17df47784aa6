import { execFileSync } from "node:child_process";
import { beforeAll, expect, it } from "vitest";
import type { TrainingConfig } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { TrainingFailure, trainModel } from "../../runtime/index.js";
import { syntheticData } from "../runtime/engine-fixtures.js";
import { MLP, compilePlan } from "../plan-exec/plan-fixtures.js";

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

beforeAll(async () => {
  await initBackend("wasm");
});

function planChildren(): string[] {
  const out = execFileSync("ps", ["-eo", "ppid=,args="], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l.includes("plan-entry") && Number(l.trim().split(/\s+/)[0]) === process.pid);
}

it("a pipeline device process killed mid-run fails the run naming the device and the step", async () => {
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
    transport: "process",
    faultInjection: { killDevice: 1, atStep: 2 },
  }).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(TrainingFailure);
  expect((failure as TrainingFailure).device).toBe(1);
  expect((failure as TrainingFailure).step).toBe(2);
  // No orphans: every device process of the run is gone once it failed.
  expect(planChildren()).toEqual([]);
}, 60_000);
