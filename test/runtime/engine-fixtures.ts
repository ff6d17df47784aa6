import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../../runtime/data/index.js";
import { CounterRandom } from "../../runtime/data/index.js";

/** The seed MLP: [28, 28] → flatten → dense(128 relu) → dropout 0.2 → dense(10 softmax). */
export function seedMlp(): tf.LayersModel {
  return tf.sequential({
    name: "mlp",
    layers: [
      tf.layers.flatten({ inputShape: [28, 28], name: "flatten" }),
      tf.layers.dense({ units: 128, activation: "relu", name: "dense" }),
      tf.layers.dropout({ rate: 0.2, name: "dropout" }),
      tf.layers.dense({ units: 10, activation: "softmax", name: "dense_1" }),
    ],
  });
}

/** The seed CNN (examples/cnn.model): conv2d(32, 3, relu) → maxpool(2) → flatten → dense(128 relu) → dense(10). */
export function seedCnn(): tf.LayersModel {
  return tf.sequential({
    name: "cnn",
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 32,
        kernelSize: 3,
        activation: "relu",
        name: "conv2d",
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: "max_pooling2d" }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({ units: 128, activation: "relu", name: "dense" }),
      tf.layers.dense({ units: 10, activation: "softmax", name: "dense_1" }),
    ],
  });
}

/** Batchnorm (dense and conv) and dropout together. */
export function bnDropoutModel(): tf.LayersModel {
  return tf.sequential({
    name: "bn",
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, name: "conv2d" }),
      tf.layers.batchNormalization({ name: "batch_normalization" }),
      tf.layers.activation({ activation: "relu", name: "activation" }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({ units: 16, name: "dense" }),
      tf.layers.batchNormalization({ name: "batch_normalization_1" }),
      tf.layers.activation({ activation: "relu", name: "activation_1" }),
      tf.layers.dropout({ rate: 0.3, name: "dropout" }),
      tf.layers.dense({ units: 4, activation: "softmax", name: "dense_1" }),
    ],
  });
}

/** Deterministic, learnable data: class-dependent means plus noise (a local stand-in for `synthetic(...)`). */
export function syntheticData(count: number, classes: number, shape: readonly number[], seed = 1): Dataset {
  const size = shape.reduce((a, b) => a * b, 1);
  const random = new CounterRandom(seed, "test-data");
  const x = new Float32Array(count * size);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    y[i] = label;
    for (let j = 0; j < size; j++) {
      const mean = ((j * 7 + label * 13) % 11) / 11;
      x[i * size + j] = mean + 0.3 * (random.uniform(i * size + j) - 0.5);
    }
  }
  return { x, y, count, sampleShape: shape, labelShape: [], numClasses: classes, description: "test data" };
}

/** Fixed initial weights, independent of tfjs's own random initialisers. */
export function setDeterministicWeights(model: tf.LayersModel, seed: number): void {
  const random = new CounterRandom(seed, "test-weights");
  let counter = 0;
  const values = model.weights.map((w) => {
    const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const name = w.name;
    const data = new Float32Array(n);
    const ones = name.includes("gamma") || name.includes("moving_variance");
    const zeros = name.includes("beta") || name.includes("moving_mean") || name.includes("bias");
    for (let i = 0; i < n; i++) data[i] = ones ? 1 : zeros ? 0 : 0.2 * (random.uniform(counter++) - 0.5);
    return tf.tensor(data, w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

export function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let m = 0;
  if (a.length !== b.length) return Infinity;
  a.forEach((x, i) => {
    const y = b[i]!;
    if (x.length !== y.length) m = Infinity;
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j]! - y[j]!));
  });
  return m;
}
