import type * as tf from "@tensorflow/tfjs";

/**
 * The L2 norm of all trainable weights, summed in float64 so the 9 significant digits of the final line are
 * the weights' own, not float32 accumulation noise.
 */
export function weightsL2(model: tf.LayersModel): number {
  let sum = 0;
  for (const weight of model.trainableWeights) {
    const values = weight.read().dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      sum += v * v;
    }
  }
  return Math.sqrt(sum);
}
