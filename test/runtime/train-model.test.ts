import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrainingConfig } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { loadCheckpoint } from "../../runtime/checkpoint/index.js";
import { epochOrder, splitValidation } from "../../runtime/data/index.js";
import { TrainingFailure, trainModel } from "../../runtime/index.js";
import { initializeWeights } from "../../runtime/model/index.js";
import { maxAbsDiff, seedMlp, syntheticData } from "./engine-fixtures.js";
import { referenceTrain } from "./engine-reference.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-train-"));
  dirs.push(dir);
  return dir;
}

function config(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    optimizer: { kind: "adam", lr: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    loss: "sparse_categorical_crossentropy",
    metrics: ["accuracy"],
    epochs: 2,
    batch: 32,
    validation: 0.1,
    seed: 5,
    spans: {},
    ...overrides,
  };
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((t) => Float32Array.from(t.dataSync()));
}

const data = syntheticData(320, 10, [28, 28]);
const quiet = {
  baseDir: ".",
  out: () => {},
  tty: false,
  modelName: "Mlp",
  dataset: data,
  backend: "wasm",
} as const;

describe("trainModel", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("trains on 2 devices, learns, checkpoints each epoch and prints the final line", async () => {
    const saveDir = tempDir();
    const lines: string[] = [];
    const final = await trainModel({
      ...quiet,
      model: seedMlp(),
      training: config(),
      devices: 2,
      saveDir,
      out: (chunk) => lines.push(chunk),
    });
    expect(final.steps).toBe(2 * 9);
    expect(final.valAccuracy).toBeGreaterThan(0.5);
    expect(final.samplesPerS).toBeGreaterThan(0);
    expect(readFileSync(join(saveDir, "latest"), "utf8").trim()).toBe("step-18");
    const loaded = await loadCheckpoint(saveDir);
    expect(loaded.position).toEqual({ step: 18, epoch: 2, batchInEpoch: 0 });
    expect(lines.join("")).toMatch(
      /final: loss=\d\.\d{4} accuracy=\d\.\d{4} val_accuracy=\d\.\d{4} samples_per_s=\d+/,
    );
  });

  it("resumes exactly: 7 steps, then on to 20 on 3 devices, equals 20 steps straight", async () => {
    const straight = seedMlp();
    await trainModel({ ...quiet, model: straight, training: config(), devices: 2, steps: 20 });
    const saveDir = tempDir();
    await trainModel({ ...quiet, model: seedMlp(), training: config(), devices: 2, steps: 7, saveDir });
    const resumed = seedMlp();
    const final = await trainModel({
      ...quiet,
      model: resumed,
      training: config(),
      devices: 3,
      steps: 20,
      resume: saveDir,
      saveDir,
    });
    expect(final.steps).toBe(20);
    expect(maxAbsDiff(weightsOf(straight), weightsOf(resumed))).toBeLessThanOrEqual(1e-4);
  });

  it("a device killed mid-epoch fails with the device and the step, and the last checkpoint loads", async () => {
    const saveDir = tempDir();
    const failure = await trainModel({
      ...quiet,
      model: seedMlp(),
      training: config({ epochs: 3 }),
      devices: 2,
      saveDir,
      faultInjection: { killDevice: 1, atStep: 12 },
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingFailure);
    const f = failure as TrainingFailure;
    expect(f.device).toBe(1);
    expect(f.step).toBe(12);
    expect(f.keptCheckpoint).toBe(join(saveDir, "step-9"));
    const loaded = await loadCheckpoint(f.keptCheckpoint!);
    expect(loaded.position.step).toBe(9);
  });

  it("a checkpoint folder that cannot be written fails before training, with its path", async () => {
    const blocker = join(tempDir(), "not-a-folder");
    writeFileSync(blocker, "a file where the run folder should be\n");
    const failure = await trainModel({
      ...quiet,
      model: seedMlp(),
      training: config({ epochs: 1 }),
      devices: 2,
      saveDir: blocker,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingFailure);
    const f = failure as TrainingFailure;
    expect(f.message).toContain(blocker);
    // Checked before the first step (runtime/checkpoint probeWritable), not after an epoch of work.
    expect(f.step).toBe(0);
    expect(f.keptCheckpoint).toBeUndefined();
    expect(readFileSync(blocker, "utf8")).toBe("a file where the run folder should be\n");
  });

  it("a huge learning rate stops with a non-finite loss and the step number, the losses being tfjs's", async () => {
    // Crossentropy saturates at -log(1e-7); a linear regression under mse diverges to Infinity, then NaN.
    const linear = () =>
      tf.sequential({
        // Named layers: initializeWeights keys each weight by its name, so both copies start alike.
        layers: [
          tf.layers.flatten({ inputShape: [28, 28], name: "flatten" }),
          tf.layers.dense({ units: 1, name: "dense" }),
        ],
      });
    const model = linear();
    const training = config({
      optimizer: { kind: "sgd", lr: 10, momentum: 0, nesterov: false },
      loss: "mse",
      metrics: [],
      epochs: 20,
    });
    const lines: string[] = [];
    const failure = await trainModel({
      ...quiet,
      model,
      training,
      devices: 2,
      json: true,
      out: (chunk) => lines.push(chunk),
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingFailure);
    const f = failure as TrainingFailure;
    expect(f.message).toMatch(/loss became (NaN|Infinity)/);
    expect(f.step).toBeGreaterThan(1);
    expect(f.message).toContain(`step ${f.step}`);

    // The losses on the way are the true mse (labels [B] against the [B, 1] output, no B × B broadcast): plain
    // tfjs trainOnBatch from the same initial weights on the same batches of the same training split.
    const start = linear();
    initializeWeights(start, training.seed);
    const { train } = splitValidation(data, 0.1, training.seed);
    const order = epochOrder(train.count, training.seed, 0);
    const batches = [0, 1, 2].map((b) => order.slice(b * 32, (b + 1) * 32));
    const reference = await referenceTrain(start, train, batches, {
      loss: "mse",
      optimizer: training.optimizer,
      seed: training.seed,
    });
    const steps = lines
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; loss?: number })
      .filter((e) => e.event === "step");
    let sum = 0;
    reference.steps.forEach(([loss], s) => {
      // A step event's loss is the epoch's running mean.
      sum += loss!;
      const want = sum / (s + 1);
      expect(Math.abs(steps[s]!.loss! - want), `step ${s + 1}`).toBeLessThanOrEqual(1e-4 * want);
    });
    expect(reference.steps[1]![0]!).toBeGreaterThan(reference.steps[0]![0]!);
  });
});
