import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { saveCheckpoint } from "../../runtime/checkpoint/index.js";
import { DataError, loadDataset } from "../../runtime/data/index.js";
import { evaluate, formatEvaluation } from "../../runtime/evaluate.js";
import { buildModel, initializeWeights } from "../../runtime/model/index.js";
import { GraphBuilder } from "./support/graph-builder.js";

const runDir = mkdtempSync(path.join(tmpdir(), "mgpuc-eval-"));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

const source = { kind: "synthetic", samples: 120, classes: 3 } as const;

describe("evaluate", () => {
  it("reports the checkpoint's loss and accuracy on a data source", async () => {
    const g = new GraphBuilder("Small");
    g.input("x", [6]);
    g.layer("dense", "dense", { units: 3, activation: "softmax", use_bias: true });
    const model = buildModel(g.build());
    initializeWeights(model, 11);
    await saveCheckpoint(runDir, {
      model,
      optimizerState: [],
      position: { step: 0, epoch: 0, batchInEpoch: 0 },
      meta: { loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], seed: 5 },
    });

    const result = await evaluate(runDir, source, runDir);

    // The same numbers by hand: mean −log p(label), and argmax hits.
    const ds = await loadDataset(source, { inputShape: [6], baseDir: runDir, seed: 5 });
    const probs = (model.predict(tf.tensor2d(ds.x, [ds.count, 6])) as tf.Tensor).arraySync() as number[][];
    let loss = 0;
    let hits = 0;
    probs.forEach((p, i) => {
      const label = ds.y[i]!;
      loss -= Math.log(p[label]!);
      if (p.indexOf(Math.max(...p)) === label) hits++;
    });
    expect(result.samples).toBe(120);
    expect(result.lossName).toBe("sparse_categorical_crossentropy");
    expect(result.loss).toBeCloseTo(loss / ds.count, 4);
    expect(result.metrics["accuracy"]).toBeCloseTo(hits / ds.count, 6);
    expect(formatEvaluation(result)).toMatch(/^evaluate: loss=\d\.\d{4} accuracy=\d\.\d{4} \(120 samples, /);
  });

  it("rejects data the model's input cannot take with a DataError", async () => {
    const error = await evaluate(
      runDir,
      { kind: "synthetic", samples: 10, classes: 3, shape: [7] },
      runDir,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain("[7]");
  });
});
