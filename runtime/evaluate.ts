import * as tf from "@tensorflow/tfjs";
import type { DataSource, Loss } from "../compiler/ir/config.js";
import { loadCheckpoint, registerFileRouter } from "./checkpoint/index.js";
import { DataError, loadDataset } from "./data/index.js";
import { groupThousands } from "./report/index.js";
import { LabelShapeError } from "./worker/labels.js";
import { isMetricName } from "./worker/metrics.js";
import { Scoring } from "./worker/scoring.js";

export interface Evaluation {
  readonly loss: number;
  /** Every metric the checkpoint was trained with, under its `train` section name: `accuracy`, `mae`... */
  readonly metrics: Readonly<Record<string, number>>;
  readonly samples: number;
  /** The loss function used (the checkpoint's, else a default for the labels). */
  readonly lossName: Loss;
  /** The checkpoint folder that was read. */
  readonly checkpoint: string;
}

const LOSSES: ReadonlySet<string> = new Set<Loss>([
  "sparse_categorical_crossentropy",
  "categorical_crossentropy",
  "binary_crossentropy",
  "mse",
  "mae",
]);

function isLoss(name: unknown): name is Loss {
  return typeof name === "string" && LOSSES.has(name);
}

/** Rows scored per forward pass. */
const BATCH = 256;

/**
 * `mgpuc evaluate DIR --data SOURCE`: loads the checkpoint (a run folder's `latest`, or a checkpoint folder),
 * feeds it the source shaped to its input, and reports the loss and metrics the checkpoint was trained with
 * (its meta's `loss` and `metrics`; without them, sparse categorical cross-entropy and accuracy for class
 * labels, mse otherwise), in inference mode (dropout off, batchnorm's moving statistics).
 * Rejects with a `CheckpointError` or `DataError` (exit 3 at the CLI).
 */
export async function evaluate(
  checkpointDir: string,
  source: DataSource,
  baseDir: string,
): Promise<Evaluation> {
  registerFileRouter();
  const { model, meta, dir } = await loadCheckpoint(checkpointDir);
  try {
    const inputShape = model.inputs[0]!.shape.slice(1).map((d) => d ?? 1);
    const ds = await loadDataset(source, {
      inputShape,
      baseDir,
      ...(typeof meta.seed === "number" ? { seed: meta.seed } : {}),
      // A model trained with `target: input` is scored against its input, as it was trained.
      ...(meta.target === "input" ? { target: "input" as const } : {}),
      // A text model reads text with the ids it was trained with (its checkpoint keeps them).
      ...(isVocabulary(meta["vocabulary"]) ? { vocabulary: meta["vocabulary"] } : {}),
    });
    const classes = ds.y instanceof Int32Array && ds.numClasses > 0;
    const lossName: Loss = isLoss(meta.loss)
      ? meta.loss
      : classes
        ? "sparse_categorical_crossentropy"
        : "mse";
    const metricNames = Array.isArray(meta.metrics)
      ? meta.metrics.filter(isMetricName)
      : classes
        ? ["accuracy"]
        : [];
    const outputShape = model.outputs[0]!.shape.slice(1).map((d) => d ?? 1);
    const units = outputShape.at(-1) ?? 1;
    if (classes && lossName.includes("categorical") && ds.numClasses > units)
      throw new DataError(`the data has ${ds.numClasses} classes but the model predicts ${units}`);
    // The same scoring as training and validation (runtime/worker/scoring.ts), in inference mode.
    const scoring = new Scoring(lossName, metricNames, outputShape);
    try {
      scoring.checkLabels(ds.labelShape, ds.y instanceof Int32Array);
    } catch (error) {
      if (error instanceof LabelShapeError) throw new DataError(error.message);
      throw error;
    }
    const sums = new Array<number>(scoring.width).fill(0);
    const sampleSize = ds.sampleShape.reduce((a, b) => a * b, 1);
    const labelSize = ds.labelShape.reduce((a, b) => a * b, 1);
    for (let lo = 0; lo < ds.count; lo += BATCH) {
      const rows = Math.min(ds.count, lo + BATCH) - lo;
      tf.tidy(() => {
        const xData = ds.x.subarray(lo * sampleSize, (lo + rows) * sampleSize);
        const x = tf.tensor(xData, [rows, ...ds.sampleShape], model.inputs[0]!.dtype);
        const yData = ds.y.subarray(lo * labelSize, (lo + rows) * labelSize);
        const y = tf.tensor(
          yData,
          [rows, ...ds.labelShape],
          yData instanceof Int32Array ? "int32" : "float32",
        );
        scoring.sums(y, model.predict(x) as tf.Tensor).forEach((s, i) => (sums[i]! += s));
      });
    }
    const metrics: Record<string, number> = {};
    metricNames.forEach((name, i) => (metrics[name] = sums[i + 1]! / ds.count));
    return { loss: sums[0]! / ds.count, metrics, samples: ds.count, lossName, checkpoint: dir };
  } finally {
    model.dispose();
  }
}

/** `evaluate: loss=0.1421 accuracy=0.9612 (2,000 samples, runs/Mnist/step-1250)`. */
export function formatEvaluation(e: Evaluation): string {
  const metrics = Object.entries(e.metrics)
    .map(([name, value]) => ` ${name}=${value.toFixed(4)}`)
    .join("");
  return `evaluate: loss=${e.loss.toFixed(4)}${metrics} (${groupThousands(e.samples)} samples, ${e.checkpoint})`;
}

function isVocabulary(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((c) => typeof c === "string");
}
