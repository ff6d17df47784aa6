import { execFileSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Optimizer } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { probeWebgpu } from "../../runtime/backend/webgpu-adapters.js";
import type { Dataset } from "../../runtime/data/index.js";
import { TrainingFailure, trainModel } from "../../runtime/index.js";
import { DataParallelGroup } from "../../runtime/train/data-parallel-group.js";
import { PlanGroup } from "../../runtime/plan-exec/index.js";
import type { TrainingGroup } from "../../runtime/train/training-group.js";
import { maxAbsDiff, seedMlp, syntheticData } from "../runtime/engine-fixtures.js";
import { compileModel } from "../support/compile-model.js";
import { batchesFor, CNN, compilePlan, TRANSFORMER } from "../plan-exec/plan-fixtures.js";
import { labelledData } from "../support/labelled-data.js";
import { WEBGPU_VS_WASM, WEBGPU_DEVICES_VS_ONE } from "./tolerances.js";

// WebGPU devices on the machine's adapter: in CI, Mesa's software Vulkan driver (lavapipe), which `.ci/run`
// installs. Under CI an absent adapter fails these tests instead of skipping them.
const probe = await probeWebgpu();
const runs = probe.adapters.length > 0 || process.env.CI === "true";
const adapters = probe.adapters.map((a) => a.name);

const STEPS = 5;
const SGD: Optimizer = { kind: "sgd", lr: 0.05, momentum: 0.9, nesterov: false };

interface Case {
  readonly name: string;
  readonly make: () => tf.LayersModel;
  readonly data: () => Dataset;
  readonly batch: number;
  /** The model's text, for the split and pipelined plans (the seed MLP is built in tfjs directly). */
  readonly text?: string;
}

const cases: Case[] = [
  {
    name: "seed MLP",
    make: () => seedMlp(),
    data: () => syntheticData(64, 10, [28, 28]),
    batch: 16,
  },
  {
    name: "CNN",
    make: () => compileModel(CNN, 3),
    data: () => syntheticData(64, 10, [12, 12, 1]),
    batch: 16,
    text: CNN,
  },
  {
    name: "tiny GPT (attention with dropout)",
    make: () => compileModel(TRANSFORMER, 3),
    data: () => labelledData(64, [8], { kind: "tokens", vocabulary: 12 }, 1, 12),
    batch: 8,
    text: TRANSFORMER,
  },
];

/**
 * `STEPS` steps from `initial` on `devices` devices: data-parallel replicas, or a compiled `model` or
 * `pipeline` plan (2 stages, 2 micro-batches) on the plan executor.
 */
async function train(
  c: Case,
  backend: "webgpu" | "wasm",
  devices: number,
  initial: readonly Float32Array[],
  strategy: "data" | "model" | "pipeline" = "data",
): Promise<Float32Array[]> {
  const model = c.make();
  model.setWeights(initial.map((w, i) => tf.tensor(w, model.weights[i]!.shape as number[])));
  const data = c.data();
  const common = {
    model,
    optimizer: SGD,
    loss: "sparse_categorical_crossentropy",
    metrics: ["accuracy"],
    seed: 11,
    train: data,
    backend,
    ...(backend === "webgpu"
      ? { transport: "process" as const, webgpuAdapters: adapters }
      : { transport: "thread" as const }),
  } as const;
  let group: TrainingGroup;
  if (strategy === "data") group = await DataParallelGroup.start({ ...common, devices });
  else {
    const options = { strategy, devices, ...(strategy === "pipeline" ? { microbatches: 2 } : {}) };
    const { plan } = compilePlan(c.text!, options, 3);
    group = await PlanGroup.start({ ...common, plan, batch: c.batch });
  }
  try {
    for (const [step, indices] of batchesFor(data.count, c.batch, STEPS).entries())
      await group.step(step, indices);
    expect(group.backend).toBe(backend);
    return (await group.state()).weights;
  } finally {
    await group.close();
    model.dispose();
  }
}

function initialWeights(c: Case): Float32Array[] {
  const model = c.make();
  const weights = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
  model.dispose();
  return weights;
}

/** Device processes of this test still alive (children of this process running a device entry). */
function liveDeviceProcesses(): number {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.includes("-entry")).length;
}

describe.runIf(runs)("WebGPU devices (one process per device, on the machine's adapter)", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it("the probe finds an adapter and names it", () => {
    expect(probe.reason).toBeUndefined();
    expect(probe.adapters.length).toBeGreaterThan(0);
    for (const a of probe.adapters) {
      expect(a.name.length).toBeGreaterThan(0);
      expect(a.maxBufferSize).toBeGreaterThan(0);
    }
  });

  for (const c of cases) {
    const plans = c.text === undefined ? "" : ", model-split, pipelined";
    const title = `${c.name}: ${STEPS} steps on 1 WebGPU device equal 1 wasm device, and 2 (data${plans}) equal 1`;
    it(title, { timeout: 240_000 }, async () => {
      const initial = initialWeights(c);
      const wasm = await train(c, "wasm", 1, initial);
      const webgpu = await train(c, "webgpu", 1, initial);
      const two = await train(c, "webgpu", 2, initial);
      // The steps moved the weights by 10× more than the backends may differ by.
      expect(maxAbsDiff(initial, wasm)).toBeGreaterThan(10 * WEBGPU_VS_WASM);
      expect(maxAbsDiff(wasm, webgpu)).toBeLessThanOrEqual(WEBGPU_VS_WASM);
      expect(maxAbsDiff(webgpu, two)).toBeLessThanOrEqual(WEBGPU_DEVICES_VS_ONE);
      if (c.text !== undefined) {
        // Split layers and stage boundaries exchange tensors mid-step: the op-by-op tape (layer-tape.ts).
        const model = await train(c, "webgpu", 2, initial, "model");
        expect(maxAbsDiff(webgpu, model), "model-split").toBeLessThanOrEqual(WEBGPU_DEVICES_VS_ONE);
        const pipeline = await train(c, "webgpu", 2, initial, "pipeline");
        expect(maxAbsDiff(webgpu, pipeline), "pipelined").toBeLessThanOrEqual(WEBGPU_DEVICES_VS_ONE);
      }
      expect(liveDeviceProcesses()).toBe(0);
    });
  }

  it("a WebGPU device process killed mid-step: TrainingFailure naming the device; no process left", async () => {
    const failure = await trainModel({
      baseDir: ".",
      out: () => {},
      tty: false,
      backend: "webgpu",
      webgpuAdapters: adapters,
      model: seedMlp(),
      modelName: "mlp",
      dataset: syntheticData(128, 10, [28, 28]),
      training: {
        optimizer: SGD,
        loss: "sparse_categorical_crossentropy",
        metrics: ["accuracy"],
        epochs: 2,
        batch: 16,
        validation: 0,
        seed: 5,
        spans: {},
      },
      devices: 2,
      saveDir: null,
      faultInjection: { killDevice: 1, atStep: 3 },
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingFailure);
    const f = failure as TrainingFailure;
    expect(f.device).toBe(1);
    expect(f.step).toBe(3);
    expect(f.message).toContain("device 1");
    expect(liveDeviceProcesses()).toBe(0);
  });
});
