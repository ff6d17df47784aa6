import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Loss, Optimizer, TrainingConfig } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { type Dataset, epochOrder, loadDataset } from "../../runtime/data/index.js";
import { evaluate } from "../../runtime/evaluate.js";
import { TrainingFailure, trainModel } from "../../runtime/index.js";
import { compileModel } from "../support/compile-model.js";
import {
  kerasBatch,
  kerasEvaluate,
  kerasModel,
  kerasTrainOnBatch,
  relativeWeightDiff,
  weightsOf,
} from "../support/keras-reference.js";

/**
 * The tfjs oracle through the path the CLI takes: `trainModel` on a CSV (the `--json` step events carry the loss
 * and every metric), then `mgpuc evaluate` of the checkpoint it saved, against plain tfjs `trainOnBatch` and
 * `model.evaluate` on the same rows.
 */

const SEED = 4;
const BATCH = 8;
const STEPS = 3;
const SGD: Optimizer = { kind: "sgd", lr: 0.05, momentum: 0, nesterov: false };

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A CSV of two features and a label column `y`, as a user writes one. */
function writeCsv(rows: number, label: (x1: number, x2: number, i: number) => number): string {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-oracle-"));
  dirs.push(dir);
  const lines = ["x1,x2,y"];
  for (let i = 0; i < rows; i++) {
    const x1 = ((i * 37) % 23) / 11.5 - 1;
    const x2 = ((i * 53) % 19) / 9.5 - 1;
    lines.push(`${x1},${x2},${label(x1, x2, i)}`);
  }
  const path = join(dir, "data.csv");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

interface CsvCase {
  readonly name: string;
  readonly model: string;
  readonly loss: Loss;
  readonly metrics: readonly string[];
  readonly label: (x1: number, x2: number, i: number) => number;
  readonly devices: number;
}

const CASES: readonly CsvCase[] = [
  {
    name: "regression y = 2·x1 − 3·x2 + 1 (float labels), mse",
    model: "model Line {\n  input x: [2]\n  dense(1)\n}",
    loss: "mse",
    metrics: ["mae", "mse"],
    label: (x1, x2, i) => 2 * x1 - 3 * x2 + 1 + 0.01 * ((i % 7) - 3),
    devices: 1,
  },
  {
    name: "regression, mae, 2 devices",
    model: "model Line {\n  input x: [2]\n  dense(4, activation: tanh)\n  dense(1)\n}",
    loss: "mae",
    metrics: ["mse"],
    label: (x1, x2, i) => 2 * x1 - 3 * x2 + 1 + 0.01 * ((i % 7) - 3),
    devices: 2,
  },
  {
    name: "binary classifier (0/1 labels), sigmoid + binary_crossentropy",
    model: "model Binary {\n  input x: [2]\n  dense(4, activation: relu)\n  dense(1, activation: sigmoid)\n}",
    loss: "binary_crossentropy",
    metrics: ["accuracy", "binary_accuracy", "mae"],
    label: (x1, x2) => (x1 + 0.5 * x2 > 0 ? 1 : 0),
    devices: 1,
  },
  {
    name: "class ids under categorical_crossentropy",
    model: "model Classes {\n  input x: [2]\n  dense(3, activation: softmax)\n}",
    loss: "categorical_crossentropy",
    metrics: ["accuracy", "categorical_accuracy"],
    label: (x1, x2) => (x1 > 0.3 ? 2 : x2 > 0 ? 1 : 0),
    devices: 2,
  },
];

function config(c: CsvCase, path: string): TrainingConfig {
  return {
    data: { kind: "csv", path, label: "y" },
    optimizer: SGD,
    loss: c.loss,
    metrics: c.metrics,
    epochs: 1,
    batch: BATCH,
    validation: 0,
    seed: SEED,
    spans: {},
  };
}

/** trainOnBatch over the run's first `STEPS` batches; the running means the step events report. */
async function reference(
  c: CsvCase,
  model: tf.LayersModel,
  data: Dataset,
): Promise<{ model: tf.LayersModel; running: number[][] }> {
  const copy = await kerasModel(model, { loss: c.loss, metrics: c.metrics, optimizer: SGD });
  const order = epochOrder(data.count, SEED, 0);
  const outputShape = model.outputs[0]!.shape.slice(1) as number[];
  const sums = new Array<number>(1 + c.metrics.length).fill(0);
  const running: number[][] = [];
  for (let s = 0; s < STEPS; s++) {
    const { x, y } = kerasBatch(data, order.slice(s * BATCH, (s + 1) * BATCH), c.loss, outputShape);
    const values = await kerasTrainOnBatch(copy, x, y);
    tf.dispose([x, y]);
    values.forEach((v, i) => (sums[i]! += v * BATCH));
    running.push(sums.map((v) => v / ((s + 1) * BATCH)));
  }
  return { model: copy, running };
}

function close(got: number, want: number, what: string): void {
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(
    1e-5 * Math.max(1, Math.abs(want)),
  );
}

beforeAll(async () => {
  await initBackend("wasm");
});

describe("trainModel and evaluate on a CSV equal tfjs trainOnBatch and model.evaluate", () => {
  for (const c of CASES) {
    it(`${c.name}`, async () => {
      const path = writeCsv(40, c.label);
      const model = compileModel(c.model, SEED);
      const data = await loadDataset(
        { kind: "csv", path, label: "y" },
        { inputShape: [2], baseDir: ".", seed: SEED },
      );
      const saveDir = mkdtempSync(join(tmpdir(), "mgpuc-oracle-run-"));
      dirs.push(saveDir);
      const lines: string[] = [];
      // trainModel initialises the weights from the seed (initializeWeights); the reference starts from the same.
      const final = await trainModel({
        model,
        modelName: "Oracle",
        training: config(c, path),
        devices: c.devices,
        steps: STEPS,
        json: true,
        baseDir: ".",
        out: (chunk) => lines.push(chunk),
        backend: "wasm",
        saveDir,
      });
      const start = compileModel(c.model, SEED);
      const ref = await reference(c, start, data);
      start.dispose();

      const events = lines
        .join("")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const steps = events.filter((e) => e["event"] === "step");
      expect(steps).toHaveLength(STEPS);
      steps.forEach((e, s) => {
        const want = ref.running[s]!;
        close(e["loss"] as number, want[0]!, `step ${s + 1} loss`);
        c.metrics.forEach((m, i) => close(e[m] as number, want[i + 1]!, `step ${s + 1} ${m}`));
      });
      expect(relativeWeightDiff(weightsOf(model), weightsOf(ref.model))).toBeLessThanOrEqual(1e-5);
      close(final.loss!, ref.running.at(-1)![0]!, "final loss");
      // The final line keeps CLI.md's fields: accuracy is the run's accuracy metric, or null (n/a).
      const accuracyAt = c.metrics.indexOf("accuracy");
      if (accuracyAt < 0) expect(final.accuracy).toBeNull();
      else close(final.accuracy!, ref.running.at(-1)![accuracyAt + 1]!, "final accuracy");

      // `mgpuc evaluate` of the saved checkpoint against model.evaluate of the reference, on every row.
      const result = await evaluate(saveDir, { kind: "csv", path, label: "y" }, ".");
      const all = Uint32Array.from({ length: data.count }, (_, i) => i);
      const { x, y } = kerasBatch(data, all, c.loss, model.outputs[0]!.shape.slice(1) as number[]);
      const want = kerasEvaluate(ref.model, x, y, 256);
      tf.dispose([x, y]);
      expect(result.samples).toBe(data.count);
      close(result.loss, want[0]!, "evaluate loss");
      expect(Object.keys(result.metrics)).toEqual([...c.metrics]);
      c.metrics.forEach((m, i) => close(result.metrics[m]!, want[i + 1]!, `evaluate ${m}`));
      ref.model.dispose();
    }, 60_000);
  }

  it("labels that fit neither form of the loss are refused before any device starts, naming both shapes", async () => {
    const c = CASES[0]!;
    const path = writeCsv(16, c.label);
    const lines: string[] = [];
    const failure = await trainModel({
      // One float label per sample cannot be compared with a 3-wide output under mse (nor one-hot: not ids).
      model: compileModel("model Wide {\n  input x: [2]\n  dense(3)\n}", SEED),
      modelName: "Wide",
      training: config(c, path),
      devices: 2,
      baseDir: ".",
      out: (chunk) => lines.push(chunk),
      tty: false,
      backend: "wasm",
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TrainingFailure);
    const f = failure as TrainingFailure;
    expect(f.message).toBe(
      "loss mse compares labels shaped like the model's output [3], but each sample has labels [] (1 value)",
    );
    expect(f.device).toBeUndefined();
    expect(lines.join("")).not.toContain("Error:");
  }, 60_000);

  it("prints every metric in the epoch line and keeps the final line's fields", async () => {
    const c = CASES[0]!;
    const path = writeCsv(16, c.label);
    const lines: string[] = [];
    await trainModel({
      model: compileModel(c.model, SEED),
      modelName: "Line",
      training: { ...config(c, path), metrics: ["mae", "mse"], validation: 0.25 },
      devices: 1,
      baseDir: ".",
      out: (chunk) => lines.push(chunk),
      tty: false,
      backend: "wasm",
    });
    const text = lines.join("");
    expect(text).toMatch(
      / - loss: \d+\.\d{4} - mae: \d+\.\d{4} - mse: \d+\.\d{4} - val_loss: \d+\.\d{4} - val_mae: \d+\.\d{4} - val_mse: \d+\.\d{4}/,
    );
    expect(text.trim().split("\n").at(-1)).toMatch(
      /^final: loss=\d+\.\d{4} accuracy=n\/a val_accuracy=n\/a samples_per_s=\S+ weights_l2=\d+\.\d+$/,
    );
  }, 60_000);
});
