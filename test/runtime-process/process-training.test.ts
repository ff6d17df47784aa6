import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrainingConfig } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { loadCheckpoint } from "../../runtime/checkpoint/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { TrainingFailure, trainModel } from "../../runtime/index.js";
import { DataParallelGroup } from "../../runtime/train/data-parallel-group.js";
import {
  bnDropoutModel,
  maxAbsDiff,
  seedMlp,
  setDeterministicWeights,
  syntheticData,
} from "../runtime/engine-fixtures.js";

const STEPS = 20;
const SEED = 7;

function batchesFor(count: number, batch: number): Uint32Array[] {
  return Array.from({ length: STEPS }, (_, s) =>
    Uint32Array.from({ length: batch }, (_, r) => (s * 37 + r * 11) % count),
  );
}

async function trainOn(
  transport: "thread" | "process",
  devices: number,
  make: () => tf.LayersModel,
  data: Dataset,
  batches: Uint32Array[],
): Promise<Float32Array[]> {
  const model = make();
  setDeterministicWeights(model, 3);
  const group = await DataParallelGroup.start({
    model,
    devices,
    // SGD with momentum: Adam would turn the float noise of gradients that are zero in exact arithmetic (a dense
    // bias before batchnorm) into full-size steps, and the comparison would measure that noise.
    optimizer: { kind: "sgd", lr: 0.05, momentum: 0.9, nesterov: false },
    loss: "sparse_categorical_crossentropy",
    seed: SEED,
    train: data,
    backend: "wasm",
    transport,
    // Gradients straddle bucket boundaries.
    bucket: 4099,
  });
  try {
    for (const [step, indices] of batches.entries()) await group.step(step, indices);
    return (await group.state()).weights;
  } finally {
    await group.close();
    model.dispose();
  }
}

/** Device processes of this test still alive (children of this process running the device entry). */
function liveDeviceProcesses(): number {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.includes("replica-entry")).length;
}

const cases = [
  { name: "seed MLP", make: seedMlp, data: () => syntheticData(160, 10, [28, 28]), batch: 32, devices: 2 },
  {
    name: "batchnorm + dropout",
    make: bnDropoutModel,
    data: () => syntheticData(96, 4, [12, 12, 1]),
    batch: 24,
    devices: 2,
  },
  // Uneven shards (32 = 11 + 11 + 10) and a 3-rank mesh.
  { name: "seed MLP", make: seedMlp, data: () => syntheticData(160, 10, [28, 28]), batch: 32, devices: 3 },
];

describe("process transport: one child process per device", () => {
  const dirs: string[] = [];
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    tf.disposeVariables();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`${c.name}: ${c.devices} processes equal 1 device and ${c.devices} threads after ${STEPS} steps`, async () => {
      const data = c.data();
      const batches = batchesFor(data.count, c.batch);
      const one = await trainOn("thread", 1, c.make, data, batches);
      const processes = await trainOn("process", c.devices, c.make, data, batches);
      const threads = await trainOn("thread", c.devices, c.make, data, batches);
      const initial = (() => {
        const m = c.make();
        setDeterministicWeights(m, 3);
        const w = m.getWeights().map((t) => Float32Array.from(t.dataSync()));
        m.dispose();
        return w;
      })();
      expect(maxAbsDiff(initial, one)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(one, processes)).toBeLessThanOrEqual(1e-4);
      // Same partitions, same summation order: the transports agree bit for bit.
      expect(maxAbsDiff(threads, processes)).toBe(0);
      expect(liveDeviceProcesses()).toBe(0);
    });
  }

  it("a device process killed mid-step: TrainingFailure with device and step, the last checkpoint loads", async () => {
    const saveDir = mkdtempSync(join(tmpdir(), "mgpuc-proc-"));
    dirs.push(saveDir);
    const training: TrainingConfig = {
      optimizer: { kind: "adam", lr: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      loss: "sparse_categorical_crossentropy",
      metrics: ["accuracy"],
      epochs: 3,
      batch: 32,
      validation: 0.1,
      seed: 5,
      spans: {},
    };
    const failure = await trainModel({
      baseDir: ".",
      out: () => {},
      tty: false,
      backend: "wasm",
      model: seedMlp(),
      modelName: "mlp",
      dataset: syntheticData(320, 10, [28, 28]),
      training,
      devices: 2,
      transport: "process",
      saveDir,
      faultInjection: { killDevice: 1, atStep: 12 },
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingFailure);
    const f = failure as TrainingFailure;
    expect(f.device).toBe(1);
    expect(f.step).toBe(12);
    expect(f.message).toContain("device 1");
    expect(f.keptCheckpoint).toBe(join(saveDir, "step-9"));
    const loaded = await loadCheckpoint(f.keptCheckpoint!);
    expect(loaded.position.step).toBe(9);
    expect(liveDeviceProcesses()).toBe(0);
  });
});
