import * as tf from "@tensorflow/tfjs";
import type { DataSource, Loss } from "../compiler/ir/config.js";
import { loadCheckpoint, registerFileRouter } from "./checkpoint/index.js";
import { DataError, loadDataset, type Dataset } from "./data/index.js";
import { groupThousands } from "./report/index.js";

export interface Evaluation {
  readonly loss: number;
  /** Keras names: `accuracy`. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly samples: number;
  /** The loss function used (the checkpoint's, else a default for the labels). */
  readonly lossName: Loss;
  /** The checkpoint folder that was read. */
  readonly checkpoint: string;
}

const TFJS_LOSS: Readonly<Record<Loss, string>> = {
  sparse_categorical_crossentropy: "sparseCategoricalCrossentropy",
  categorical_crossentropy: "categoricalCrossentropy",
  binary_crossentropy: "binaryCrossentropy",
  mse: "meanSquaredError",
  mae: "meanAbsoluteError",
};

function isLoss(name: unknown): name is Loss {
  return typeof name === "string" && name in TFJS_LOSS;
}

/** Labels as the loss wants them: class ids one-hot for categorical_crossentropy, a column otherwise. */
function labelTensor(ds: Dataset, loss: Loss, units: number): tf.Tensor {
  if (loss === "categorical_crossentropy" && ds.y instanceof Int32Array)
    return tf.oneHot(tf.tensor1d(ds.y, "int32"), units).toFloat();
  const shape =
    loss === "sparse_categorical_crossentropy"
      ? [ds.count]
      : [ds.count, ...(ds.labelShape.length > 0 ? ds.labelShape : [1])];
  return tf.tensor(Float32Array.from(ds.y), shape, "float32");
}

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
    });
    const classes = ds.y instanceof Int32Array && ds.numClasses > 0;
    const lossName: Loss = isLoss(meta.loss)
      ? meta.loss
      : classes
        ? "sparse_categorical_crossentropy"
        : "mse";
    const metricNames = Array.isArray(meta.metrics)
      ? meta.metrics.filter((m) => m === "accuracy")
      : classes
        ? ["accuracy"]
        : [];
    const units = model.outputs[0]!.shape.at(-1) ?? 1;
    if (classes && lossName.includes("categorical") && ds.numClasses > units)
      throw new DataError(`the data has ${ds.numClasses} classes but the model predicts ${units}`);
    model.compile({ optimizer: "sgd", loss: TFJS_LOSS[lossName], metrics: metricNames });
    const x = tf.tensor(ds.x, [ds.count, ...ds.sampleShape], model.inputs[0]!.dtype);
    const y = labelTensor(ds, lossName, units);
    try {
      const result = model.evaluate(x, y, { batchSize: 256 });
      const scalars = Array.isArray(result) ? result : [result];
      const values = scalars.map((s) => s.dataSync()[0]!);
      tf.dispose(scalars);
      const metrics: Record<string, number> = {};
      metricNames.forEach((name, i) => (metrics[name] = values[i + 1]!));
      return { loss: values[0]!, metrics, samples: ds.count, lossName, checkpoint: dir };
    } finally {
      tf.dispose([x, y]);
    }
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
