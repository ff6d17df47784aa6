import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../../runtime/data/index.js";
import { LocalCollective } from "../../runtime/collectives/index.js";
import { setStepContext } from "../../runtime/layers/index.js";
import { CounterDropout } from "../../runtime/layers/index.js";

/**
 * Plain tfjs: `model.trainOnBatch` on the same global batches. Dropout layers are swapped for CounterDropout
 * (same masks as the replicas); batchnorm stays the stock tfjs layer.
 */
export async function referenceTrain(
  model: tf.LayersModel,
  data: Dataset,
  batches: readonly Uint32Array[],
  lr: number,
  seed: number,
): Promise<Float32Array[]> {
  const json = JSON.parse(JSON.stringify(model.toJSON(null, false))) as {
    config: { layers: { class_name: string }[] };
  };
  for (const layer of json.config.layers)
    if (layer.class_name === "Dropout") layer.class_name = CounterDropout.className;
  const copy = await tf.models.modelFromJSON({
    modelTopology: json as unknown as tf.serialization.ConfigDict,
  });
  copy.setWeights(model.getWeights());
  copy.compile({ optimizer: tf.train.sgd(lr), loss: "sparseCategoricalCrossentropy" });
  const size = data.sampleShape.reduce((a, b) => a * b, 1);
  for (const [step, indices] of batches.entries()) {
    setStepContext({
      collective: new LocalCollective(),
      step,
      globalBatch: indices.length,
      shardOffset: 0,
      seed,
    });
    const x = new Float32Array(indices.length * size);
    const y = new Float32Array(indices.length);
    indices.forEach((i, r) => {
      x.set(data.x.subarray(i * size, (i + 1) * size), r * size);
      y[r] = data.y[i]!;
    });
    const xs = tf.tensor(x, [indices.length, ...data.sampleShape]);
    const ys = tf.tensor(y, [indices.length, 1]);
    await copy.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
  }
  return copy.getWeights().map((t) => Float32Array.from(t.dataSync()));
}
