import * as tf from "@tensorflow/tfjs";
import { CounterRandom } from "../data/counter-random.js";

type Init = (shape: readonly number[], random: CounterRandom) => Float32Array;

const constant =
  (value: number): Init =>
  (shape) =>
    new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value);

const uniform =
  (limit: number): Init =>
  (shape, random) => {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < out.length; i++) out[i] = (2 * random.uniform(i) - 1) * limit;
    return out;
  };

/** Keras's `_compute_fans`: the last two axes are (in, out), the rest a receptive field. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape.at(-2)! * receptive, fanOut: shape.at(-1)! * receptive };
}

const glorotUniform: Init = (shape, random) => {
  const { fanIn, fanOut } = fans(shape);
  return uniform(Math.sqrt(6 / (fanIn + fanOut)))(shape, random);
};

/** Keras's default initialiser for each weight, by the weight's own name (`dense/kernel` → `kernel`). */
export function initializerFor(weightName: string, rank: number): Init {
  const leaf = weightName.slice(weightName.lastIndexOf("/") + 1).replace(/_\d+$/, "");
  switch (leaf) {
    case "kernel":
    case "depthwise_kernel":
    case "pointwise_kernel":
      return glorotUniform;
    case "bias":
    case "beta":
    case "moving_mean":
      return constant(0);
    case "gamma":
    case "moving_variance":
      return constant(1);
    case "embeddings":
      return uniform(0.05);
    default:
      // Weights of layers mgpuc does not build (hand-written models): Keras's usual choice by rank.
      return rank >= 2 ? glorotUniform : constant(0);
  }
}

/**
 * Sets every weight (trainable or not) to Keras's default initialisation, drawn from a counter-based generator
 * keyed by (seed, weight name): the same seed gives the same weights on every backend and device count, and
 * adding a layer does not change the others' weights.
 */
export function initializeWeights(model: tf.LayersModel, seed: number): void {
  const values = model.weights.map((weight) => {
    const shape = weight.shape.map((d) => d ?? 1);
    const random = new CounterRandom(seed, `init/${weight.originalName}`);
    return tf.tensor(initializerFor(weight.originalName, shape.length)(shape, random), shape, weight.dtype);
  });
  model.setWeights(values);
  tf.dispose(values);
}
