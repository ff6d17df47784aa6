import * as tf from "@tensorflow/tfjs";
import type { Loss } from "../../compiler/ir/config.js";
import { type LabelForm, classIdLabels, denseLabels, perSampleMean } from "./labels.js";

/** What a metric computes; `accuracy` resolves to one of the three accuracies. */
export type MetricKind =
  "binary_accuracy" | "categorical_accuracy" | "sparse_categorical_accuracy" | "mse" | "mae";

/** A metric as the user named it (its log key: `mae`, `val_mae`) and what it computes. */
export interface Metric {
  readonly name: string;
  readonly kind: MetricKind;
}

const KINDS: ReadonlySet<string> = new Set<MetricKind>([
  "binary_accuracy",
  "categorical_accuracy",
  "sparse_categorical_accuracy",
  "mse",
  "mae",
]);

/** The label form each metric compares with the output. */
export const METRIC_LABELS: Readonly<Record<MetricKind, LabelForm>> = {
  binary_accuracy: "dense",
  categorical_accuracy: "dense",
  sparse_categorical_accuracy: "class-ids",
  mse: "dense",
  mae: "dense",
};

/**
 * `accuracy` as tfjs-layers' `compile` picks it: binary when the output's last axis is 1 or the loss is binary
 * cross-entropy, sparse categorical under sparse categorical cross-entropy, categorical otherwise.
 */
export function accuracyKind(loss: Loss, outputShape: readonly number[]): MetricKind {
  if (outputShape.at(-1) === 1 || loss === "binary_crossentropy") return "binary_accuracy";
  if (loss === "sparse_categorical_crossentropy") return "sparse_categorical_accuracy";
  return "categorical_accuracy";
}

/** Whether `name` is a metric the runtime scores (a `train` section's, or a checkpoint meta's). */
export function isMetricName(name: unknown): name is string {
  return typeof name === "string" && (name === "accuracy" || name === "acc" || KINDS.has(name));
}

/** The metrics of a `train` section (LANGUAGE.md's names, resolve-config's list), in the order given. */
export function resolveMetrics(
  names: readonly string[],
  loss: Loss,
  outputShape: readonly number[],
): Metric[] {
  return names.map((name) => {
    if (name === "accuracy" || name === "acc") return { name, kind: accuracyKind(loss, outputShape) };
    if (isMetricName(name)) return { name, kind: name as MetricKind };
    throw new Error(`unknown metric '${name}' (known: accuracy, ${[...KINDS].join(", ")})`);
  });
}

/**
 * One value per sample `[B]`: the tfjs-layers metric per output position, averaged over the sample's positions
 * (as tfjs averages it over the batch). `yTrue` is the batch's labels as stored, brought to the metric's form.
 */
export function perSampleMetric(kind: MetricKind, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  const what = `metric ${kind}`;
  switch (kind) {
    case "binary_accuracy":
      return perSampleMean(tf.metrics.binaryAccuracy(denseLabels(yTrue, yPred, what), yPred));
    case "categorical_accuracy":
      return perSampleMean(tf.metrics.categoricalAccuracy(denseLabels(yTrue, yPred, what), yPred));
    case "sparse_categorical_accuracy": {
      const ids = classIdLabels(yTrue, yPred.shape, what);
      return perSampleMean(tf.cast(tf.equal(ids, tf.argMax(yPred, -1)), "float32"));
    }
    case "mse":
      return perSampleMean(tf.metrics.meanSquaredError(denseLabels(yTrue, yPred, what), yPred));
    case "mae":
      return perSampleMean(tf.metrics.meanAbsoluteError(denseLabels(yTrue, yPred, what), yPred));
  }
}
