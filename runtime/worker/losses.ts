import * as tf from "@tensorflow/tfjs";
import type { Loss } from "../../compiler/ir/config.js";
import { type LabelForm, classIdLabels, denseLabels, perSampleMean } from "./labels.js";

/** tfjs-layers' `epsilon()`. */
const EPSILON = 1e-7;

/** The label form each loss compares with the output: class ids for the sparse loss, output-shaped otherwise. */
export const LOSS_LABELS: Readonly<Record<Loss, LabelForm>> = {
  sparse_categorical_crossentropy: "class-ids",
  categorical_crossentropy: "dense",
  binary_crossentropy: "dense",
  mse: "dense",
  mae: "dense",
};

/**
 * Per-sample losses `[B]` of a batch, Keras semantics (SUM_OVER_BATCH_SIZE): the loss function of tfjs-layers
 * (same clipping and op order, so a replica matches `model.trainOnBatch`) gives one value per output position
 * (mse and mae average the last axis, the cross-entropies sum it over classes), and a sample's loss is the mean
 * over its positions; the batch loss is Σ ÷ B. `yTrue` is the batch's labels as stored, `[B, ...labelShape]`;
 * they are brought to the form the loss needs first (see labels.ts).
 */
export function perSampleLoss(loss: Loss, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  const what = `loss ${loss}`;
  switch (loss) {
    case "sparse_categorical_crossentropy": {
      // tfjs-layers' sparseCategoricalCrossentropy (not exported): clip, one-hot the ids, categorical.
      const ids = tf.reshape(classIdLabels(yTrue, yPred.shape, what), [-1]) as tf.Tensor1D;
      const clipped = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
      const target = tf.reshape(tf.oneHot(ids, yPred.shape.at(-1)!), yPred.shape);
      return perSampleMean(tf.metrics.categoricalCrossentropy(target, clipped));
    }
    case "categorical_crossentropy":
      return perSampleMean(tf.metrics.categoricalCrossentropy(denseLabels(yTrue, yPred, what), yPred));
    case "binary_crossentropy":
      return perSampleMean(tf.metrics.binaryCrossentropy(denseLabels(yTrue, yPred, what), yPred));
    case "mse":
      return perSampleMean(tf.metrics.meanSquaredError(denseLabels(yTrue, yPred, what), yPred));
    case "mae":
      return perSampleMean(tf.metrics.meanAbsoluteError(denseLabels(yTrue, yPred, what), yPred));
  }
}

/** tfjs-layers' names for the losses (`model.compile({ loss })`). */
export const KERAS_LOSS_NAMES: Readonly<Record<Loss, string>> = {
  sparse_categorical_crossentropy: "sparseCategoricalCrossentropy",
  categorical_crossentropy: "categoricalCrossentropy",
  binary_crossentropy: "binaryCrossentropy",
  mse: "meanSquaredError",
  mae: "meanAbsoluteError",
};
