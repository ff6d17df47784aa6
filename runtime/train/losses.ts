import * as tf from "@tensorflow/tfjs";
import type { Loss } from "../../compiler/ir/config.js";

const EPSILON = 1e-7;

/**
 * Per-sample losses, computed exactly as tfjs-layers computes them (same clipping, same op order), so a replica
 * matches `model.trainOnBatch` with the same loss name.
 */
export function perSampleLoss(loss: Loss, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  switch (loss) {
    case "sparse_categorical_crossentropy": {
      const classes = yPred.shape[yPred.shape.length - 1]!;
      const clipped = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
      const target = tf.reshape(tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), "int32"), classes), yPred.shape);
      return tf.metrics.categoricalCrossentropy(target, clipped);
    }
    case "categorical_crossentropy":
      return tf.metrics.categoricalCrossentropy(yTrue, yPred);
    case "binary_crossentropy":
      return tf.metrics.binaryCrossentropy(yTrue, yPred);
    case "mse":
      return tf.metrics.meanSquaredError(yTrue, yPred);
    case "mae":
      return tf.metrics.meanAbsoluteError(yTrue, yPred);
  }
}

/** Per-sample 1/0 for "prediction right", by the label kind Keras would pick for `accuracy`. */
export function perSampleCorrect(loss: Loss, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  switch (loss) {
    case "sparse_categorical_crossentropy":
      return tf.metrics.sparseCategoricalAccuracy(tf.reshape(yTrue, [-1, 1]), yPred);
    case "categorical_crossentropy":
      return tf.metrics.categoricalAccuracy(yTrue, yPred);
    default:
      return tf.metrics.binaryAccuracy(yTrue, yPred);
  }
}

/** Keras compile names, for the plain-tfjs reference path and `MirroredStrategy` users. */
export const KERAS_LOSS_NAMES: Readonly<Record<Loss, string>> = {
  sparse_categorical_crossentropy: "sparseCategoricalCrossentropy",
  categorical_crossentropy: "categoricalCrossentropy",
  binary_crossentropy: "binaryCrossentropy",
  mse: "meanSquaredError",
  mae: "meanAbsoluteError",
};
