import type * as tf from "@tensorflow/tfjs";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import type { Dataset } from "../../runtime/data/index.js";
import {
  kerasBatch,
  kerasModel,
  kerasTrainOnBatch,
  setReferenceStep,
  weightsOf,
} from "../support/keras-reference.js";

export interface ReferenceRun {
  /** The trained weights, in `getWeights()` order. */
  readonly weights: Float32Array[];
  /** Per step, what `trainOnBatch` returned: the loss and each metric of the batch before the update. */
  readonly steps: number[][];
}

/**
 * Plain tfjs: `compile({ optimizer, loss, metrics })` and `trainOnBatch` on the same global batches, labels in
 * Keras's form (test/support/keras-reference.ts), with any loss. Dropout layers are swapped for CounterDropout
 * (the masks the replicas draw); batchnorm stays the stock tfjs layer.
 */
export async function referenceTrain(
  model: tf.LayersModel,
  data: Dataset,
  batches: readonly Uint32Array[],
  setup: { loss: Loss; optimizer: Optimizer; seed: number; metrics?: readonly string[] },
): Promise<ReferenceRun> {
  const metrics = setup.metrics ?? [];
  const copy = await kerasModel(model, { ...setup, metrics, counterDropout: true });
  const outputShape = model.outputs[0]!.shape.slice(1) as number[];
  const steps: number[][] = [];
  try {
    for (const [step, indices] of batches.entries()) {
      setReferenceStep(step, indices.length, setup.seed);
      const { x, y } = kerasBatch(data, indices, setup.loss, outputShape);
      steps.push(await kerasTrainOnBatch(copy, x, y));
      x.dispose();
      y.dispose();
    }
    return { weights: weightsOf(copy), steps };
  } finally {
    copy.dispose();
  }
}
