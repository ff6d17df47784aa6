import type * as tf from "@tensorflow/tfjs";
import {
  CheckpointMismatch,
  type LoadedCheckpoint,
  type TrainingPosition,
  describeModelMismatch,
  loadCheckpoint,
} from "../checkpoint/index.js";

/**
 * Reads the checkpoint `--resume` names and checks it is of this model, before any data is loaded or device
 * started. Rejects with a `CheckpointMismatch` (one line, naming both models and what differs) instead of
 * letting tfjs print every tensor it was handed.
 */
export async function openResume(
  where: string,
  model: tf.LayersModel,
  modelName: string,
): Promise<LoadedCheckpoint> {
  const loaded = await loadCheckpoint(where);
  const mismatch = describeModelMismatch(loaded, model, modelName);
  if (mismatch !== undefined) {
    loaded.model.dispose();
    throw new CheckpointMismatch(`--resume ${where}: ${mismatch}`);
  }
  return loaded;
}

/**
 * Why a run resumed at `position` has nothing left to train under its limits (`steps` counts from the very
 * start; `epochs` too), in one line; undefined when it has.
 */
export function nothingLeftToTrain(
  dir: string,
  position: TrainingPosition,
  limits: { readonly steps: number | undefined; readonly epochs: number },
): string | undefined {
  const { steps, epochs } = limits;
  if (steps !== undefined && position.step >= steps) {
    const versus = position.step === steps ? " = --steps" : `, past --steps ${steps}`;
    return `${dir} is already at step ${position.step}${versus}; nothing to train`;
  }
  if (position.epoch >= epochs) {
    return (
      `${dir} has already trained ${position.epoch} epoch${position.epoch === 1 ? "" : "s"} of ${epochs}; ` +
      "nothing to train (give --epochs or --steps to train further)"
    );
  }
  return undefined;
}
