import * as tf from "@tensorflow/tfjs";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import { LocalCollective } from "../../runtime/collectives/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { CounterDropout, setStepContext } from "../../runtime/layers/index.js";

/**
 * The second oracle for the runtime: the same model in plain tfjs-layers, trained the Keras way —
 * `model.compile({ optimizer, loss, metrics })`, `trainOnBatch`, `evaluate` — on labels built here, in plain
 * JavaScript, the way a Keras user passes them to `fit`. Nothing below uses the runtime's loss, label, metric or
 * optimizer code: a wrong loss in the runtime (labels broadcast against the output, a mean over the wrong axes)
 * cannot be wrong here in the same way.
 */

/** tfjs-layers' loss identifiers, written out here rather than taken from the runtime. */
const TFJS_LOSS: Readonly<Record<Loss, string>> = {
  sparse_categorical_crossentropy: "sparseCategoricalCrossentropy",
  categorical_crossentropy: "categoricalCrossentropy",
  binary_crossentropy: "binaryCrossentropy",
  mse: "meanSquaredError",
  mae: "meanAbsoluteError",
};

/** A `train` section's metric as tfjs-layers' `compile` takes it (`accuracy` left to tfjs to resolve). */
function tfjsMetric(name: string): string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) {
  switch (name) {
    case "accuracy":
      return "accuracy";
    case "binary_accuracy":
      return tf.metrics.binaryAccuracy;
    case "categorical_accuracy":
      return tf.metrics.categoricalAccuracy;
    case "sparse_categorical_accuracy":
      return tf.metrics.sparseCategoricalAccuracy;
    case "mse":
      return "mse";
    case "mae":
      return "mae";
    default:
      throw new Error(`no tfjs metric for '${name}'`);
  }
}

/** The tfjs optimizer a Keras user would pass for a `train` section's optimizer. */
export function tfjsOptimizer(o: Optimizer): tf.Optimizer {
  switch (o.kind) {
    case "sgd":
      return o.momentum > 0 ? tf.train.momentum(o.lr, o.momentum, o.nesterov) : tf.train.sgd(o.lr);
    case "adam":
      return tf.train.adam(o.lr, o.beta1, o.beta2, o.epsilon);
    case "rmsprop":
      return tf.train.rmsprop(o.lr, o.rho, 0, o.epsilon);
    case "adagrad":
      return tf.train.adagrad(o.lr, o.initialAccumulator);
  }
}

export interface KerasSetup {
  readonly loss: Loss;
  readonly metrics: readonly string[];
  readonly optimizer: Optimizer;
  /** Swap Dropout for the runtime's CounterDropout (the same masks as the replicas draw), for models with dropout. */
  readonly counterDropout?: boolean;
}

/** A compiled plain-tfjs copy of `model`: the same topology (`modelFromJSON`) and the same weights. */
export async function kerasModel(model: tf.LayersModel, setup: KerasSetup): Promise<tf.LayersModel> {
  const json = JSON.parse(JSON.stringify(model.toJSON(null, false))) as {
    config: { layers: { class_name: string }[] };
  };
  if (setup.counterDropout === true)
    for (const layer of json.config.layers)
      if (layer.class_name === "Dropout") layer.class_name = CounterDropout.className;
  const copy = await tf.models.modelFromJSON({
    modelTopology: json as unknown as tf.serialization.ConfigDict,
  });
  copy.setWeights(model.getWeights());
  copy.compile({
    optimizer: tfjsOptimizer(setup.optimizer),
    loss: TFJS_LOSS[setup.loss],
    metrics: setup.metrics.map(tfjsMetric),
  });
  return copy;
}

/**
 * Rows `indices` of `data` as Keras's `fit` takes them: samples `[B, ...inputShape]`, and labels shaped for the
 * loss — class ids `[B, ...positions, 1]` for sparse cross-entropy; one-hot `[B, ...output]` for class ids under
 * categorical cross-entropy (built by hand here); otherwise the stored labels reshaped to `[B, ...output]`.
 */
export function kerasBatch(
  data: Dataset,
  indices: ArrayLike<number>,
  loss: Loss,
  outputShape: readonly number[],
  inputDtype: "float32" | "int32" = "float32",
): { x: tf.Tensor; y: tf.Tensor } {
  const rows = indices.length;
  const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
  const labelSize = data.labelShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(rows * sampleSize);
  const labels = new Float32Array(rows * labelSize);
  for (let r = 0; r < rows; r++) {
    const i = indices[r]!;
    x.set(data.x.subarray(i * sampleSize, (i + 1) * sampleSize), r * sampleSize);
    for (let j = 0; j < labelSize; j++) labels[r * labelSize + j] = data.y[i * labelSize + j]!;
  }
  const outputSize = outputShape.reduce((a, b) => a * b, 1);
  const classes = outputShape.at(-1)!;
  const positions = outputShape.slice(0, -1);
  let y: tf.Tensor;
  if (loss === "sparse_categorical_crossentropy") {
    if (labelSize !== outputSize / classes)
      throw new Error("sparse labels: one class id per output position");
    y = tf.tensor(labels, [rows, ...positions, 1]);
  } else if (loss === "categorical_crossentropy" && labelSize * classes === outputSize && classes > 1) {
    const oneHot = new Float32Array(rows * outputSize);
    labels.forEach((id, k) => (oneHot[k * classes + id] = 1));
    y = tf.tensor(oneHot, [rows, ...outputShape]);
  } else {
    if (labelSize !== outputSize)
      throw new Error(`labels of ${labelSize} values for an output of ${outputSize}`);
    y = tf.tensor(labels, [rows, ...outputShape]);
  }
  return { x: tf.tensor(x, [rows, ...data.sampleShape], inputDtype), y };
}

/** The step context CounterDropout keys its masks by (the replicas set the same). */
export function setReferenceStep(step: number, rows: number, seed: number, shardOffset = 0): void {
  setStepContext({ collective: new LocalCollective(), step, globalBatch: rows, shardOffset, seed });
}

/** `trainOnBatch`: the loss and metrics of the batch before the update, in `compile`'s order. */
export async function kerasTrainOnBatch(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
): Promise<number[]> {
  const result = await model.trainOnBatch(x, y);
  return Array.isArray(result) ? result : [result];
}

/** `model.evaluate` (inference mode): loss and metrics in `compile`'s order. */
export function kerasEvaluate(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  batchSize: number,
): number[] {
  const result = model.evaluate(x, y, { batchSize });
  const scalars = Array.isArray(result) ? result : [result];
  const values = scalars.map((s) => s.dataSync()[0]!);
  tf.dispose(scalars);
  return values;
}

/**
 * Several micro-batches' gradients, then one step: what a pipeline does with a global batch. tfjs-layers has no
 * gradient accumulation, so this takes the compiled model's own loss function (`lossFunctions`, what its
 * `trainOnBatch` calls) and its optimizer: each micro-batch contributes ∇ mean(loss) × rows ÷ B. Batchnorm sees
 * each micro-batch alone, as a pipeline stage does. With one micro-batch it is `trainOnBatch`. Returns the
 * batch's loss before the update.
 */
export async function kerasAccumulatedStep(
  model: tf.LayersModel,
  micro: readonly { x: tf.Tensor; y: tf.Tensor; offset: number }[],
  rows: number,
  step: number,
  seed: number,
): Promise<number> {
  if (micro.length === 1) {
    setReferenceStep(step, rows, seed);
    return (await kerasTrainOnBatch(model, micro[0]!.x, micro[0]!.y))[0]!;
  }
  const internal = model as unknown as { lossFunctions: ((y: tf.Tensor, p: tf.Tensor) => tf.Tensor)[] };
  const lossFn = internal.lossFunctions[0]!;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let sums: tf.Tensor[] = vars.map((v) => tf.zerosLike(v));
  let loss = 0;
  for (const { x, y, offset } of micro) {
    const n = x.shape[0]!;
    setReferenceStep(step, n, seed, offset);
    const next = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const pred = model.apply(x, { training: true }) as tf.Tensor;
        return tf.mul(tf.mean(lossFn(y, pred)), n / rows) as tf.Scalar;
      }, vars);
      loss += value.dataSync()[0]!;
      return vars.map((v, i) => tf.add(sums[i]!, grads[v.name]!));
    });
    tf.dispose(sums);
    sums = next;
  }
  const named: tf.NamedTensorMap = {};
  vars.forEach((v, i) => (named[v.name] = sums[i]!));
  model.optimizer.applyGradients(named);
  tf.dispose(sums);
  return loss;
}

/** Every weight of `model`, in `getWeights()` order. */
export function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((t) => Float32Array.from(t.dataSync()));
}

/**
 * The largest difference between two weight lists relative to the tensor's own scale: per tensor,
 * max |a − b| ÷ max(max |b|, floor). Infinity when the lists do not line up.
 */
export function relativeWeightDiff(
  a: readonly Float32Array[],
  b: readonly Float32Array[],
  floor = 1e-3,
): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    if (x.length !== y.length) worst = Infinity;
    let diff = 0;
    let scale = floor;
    for (let j = 0; j < x.length; j++) {
      diff = Math.max(diff, Math.abs(x[j]! - y[j]!));
      scale = Math.max(scale, Math.abs(y[j]!));
    }
    worst = Math.max(worst, diff / scale);
  });
  return worst;
}

/** Per tensor, the update `after − before`, to compare what a step did rather than where it ended. */
export function updates(after: readonly Float32Array[], before: readonly Float32Array[]): Float32Array[] {
  return after.map((a, i) => a.map((v, j) => v - before[i]![j]!));
}
