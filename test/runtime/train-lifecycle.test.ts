import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrainingConfig } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { CheckpointMismatch, loadCheckpoint } from "../../runtime/checkpoint/index.js";
import { Interrupted, TrainingFailure, trainModel } from "../../runtime/index.js";
import type { TrainOptions } from "../../runtime/train/train-options.js";
import { seedCnn, seedMlp, syntheticData } from "./engine-fixtures.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-lifecycle-"));
  dirs.push(dir);
  return dir;
}

const training: TrainingConfig = {
  optimizer: { kind: "adam", lr: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  loss: "sparse_categorical_crossentropy",
  metrics: ["accuracy"],
  epochs: 3,
  batch: 32,
  validation: 0,
  seed: 5,
  spans: {},
};

/** 320 samples in batches of 32: 10 steps an epoch. */
const data = syntheticData(320, 10, [28, 28]);

function options(o: Partial<TrainOptions> & Pick<TrainOptions, "out">): TrainOptions {
  return {
    baseDir: ".",
    tty: false,
    modelName: "Mlp",
    dataset: data,
    backend: "wasm",
    model: seedMlp(),
    training,
    devices: 2,
    ...o,
  };
}

/** Everything `trainModel` printed, and a controller the test can abort from what it prints. */
function capture(abortWhen: (chunk: string, seen: string[]) => boolean = () => false) {
  const seen: string[] = [];
  const controller = new AbortController();
  return {
    seen,
    signal: controller.signal,
    out: (chunk: string) => {
      seen.push(chunk);
      if (abortWhen(chunk, seen)) controller.abort("SIGINT");
    },
  };
}

const stepEvents = (seen: readonly string[]) => seen.filter((c) => c.includes('"event":"step"')).length;

describe("trainModel: stopping on request, resuming, and what is checked before training", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("an interrupt mid-epoch stops after the step in progress and keeps a checkpoint of that step", async () => {
    const saveDir = tempDir();
    const c = capture((_chunk, seen) => stepEvents(seen) === 3);
    const stopped = await trainModel(options({ saveDir, json: true, out: c.out, signal: c.signal })).catch(
      (e: unknown) => e,
    );
    expect(stopped).toBeInstanceOf(Interrupted);
    expect((stopped as Interrupted).step).toBe(3);
    expect(stepEvents(c.seen)).toBe(3);
    const last = JSON.parse(c.seen.at(-1)!) as Record<string, unknown>;
    expect(last).toEqual({
      event: "error",
      message: `interrupted at step 3; kept ${saveDir}/step-3`,
      interrupted: true,
      step: 3,
      kept: `${saveDir}/step-3`,
    });
    expect(readFileSync(join(saveDir, "latest"), "utf8").trim()).toBe("step-3");
    const loaded = await loadCheckpoint(saveDir);
    expect(loaded.position).toEqual({ step: 3, epoch: 0, batchInEpoch: 3 });
    loaded.model.dispose();
  });

  it("an interrupt at an epoch's end keeps the epoch's checkpoint, without writing it twice", async () => {
    const saveDir = tempDir();
    // Text output: the epoch's summary line is printed before its checkpoint; the stop comes after it.
    const c = capture((chunk) => /^10\/10 /.test(chunk));
    const stopped = await trainModel(options({ saveDir, out: c.out, signal: c.signal })).catch(
      (e: unknown) => e,
    );
    expect(stopped).toBeInstanceOf(Interrupted);
    expect(c.seen.at(-1)).toBe(`interrupted at step 10; kept ${saveDir}/step-10\n`);
    expect(readdirSync(saveDir).sort()).toEqual(["latest", "step-10"]);
  });

  it("an interrupt before the first step keeps nothing and writes nothing", async () => {
    const saveDir = tempDir();
    const c = capture((chunk) => chunk.startsWith("Epoch 1/"));
    const stopped = await trainModel(options({ saveDir, out: c.out, signal: c.signal })).catch(
      (e: unknown) => e,
    );
    expect(stopped).toBeInstanceOf(Interrupted);
    expect(c.seen.at(-1)).toBe("interrupted at step 0; kept nothing (no checkpoint was written)\n");
    expect(readdirSync(saveDir)).toEqual([]);
  });

  it("resuming another model's checkpoint fails in one line naming both models and what differs", async () => {
    const saveDir = tempDir();
    await trainModel(options({ saveDir, steps: 2, out: () => {} }));
    const c = capture();
    const refused = await trainModel(
      options({ model: seedCnn(), modelName: "Cnn", resume: saveDir, steps: 4, out: c.out }),
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CheckpointMismatch);
    const message = (refused as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toMatch(
      new RegExp(
        `^--resume ${saveDir}: ${saveDir}/step-2 is a checkpoint of model 'Mlp', not 'Cnn' \\(.*weight tensors there, .* here; the first weight to differ is \\S+ \\[[\\d, ]+\\] there, \\S+ \\[[\\d, ]+\\] here\\)$`,
      ),
    );
    // Refused before anything started: no banner, no step.
    expect(c.seen).toEqual([]);
  });

  it("resuming a run already at its step limit says so in one line and writes nothing", async () => {
    const saveDir = tempDir();
    await trainModel(options({ saveDir, steps: 4, out: () => {} }));
    const before = readdirSync(saveDir).sort();
    const c = capture();
    const final = await trainModel(options({ resume: saveDir, saveDir, steps: 4, out: c.out }));
    expect(c.seen).toEqual([`${saveDir}/step-4 is already at step 4 = --steps; nothing to train\n`]);
    expect(final.steps).toBe(4);
    expect(readdirSync(saveDir).sort()).toEqual(before);
  });

  it("a checkpoint folder that cannot be written fails before training, naming it", async () => {
    const parent = tempDir();
    writeFileSync(join(parent, "file"), "a file, not a folder");
    const saveDir = join(parent, "file", "run");
    const c = capture();
    const failure = await trainModel(options({ saveDir, out: c.out })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingFailure);
    expect((failure as TrainingFailure).message).toBe(
      `cannot write checkpoints in ${saveDir}: not a directory (ENOTDIR); ` +
        "give --save a folder that can be written, or --no-save",
    );
    expect(c.seen.join("")).toBe(
      `error: ${(failure as Error).message}\nkept: nothing (no checkpoint was written)\n`,
    );
    expect(existsSync(join(parent, "file"))).toBe(true);
  });
});
