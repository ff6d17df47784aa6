import type * as tf from "@tensorflow/tfjs";
import type { CheckpointMeta } from "./checkpoint-format.js";

/**
 * `--resume` of a checkpoint that is not of this model (another model's, or an older version of this one):
 * nothing was loaded into the model. The CLI reports it as bad usage (exit 2) in one line.
 */
export class CheckpointMismatch extends Error {
  override readonly name = "CheckpointMismatch";
}

interface WeightSignature {
  /** `dense/kernel`: the layer's own name, without the `_1` tfjs appends to a second copy's variables. */
  readonly name: string;
  readonly shape: readonly number[];
}

function signature(model: tf.LayersModel): WeightSignature[] {
  return model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[] }));
}

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** The weights' first difference, in words (`6 weight tensors there, 4 here; the first to differ: …`). */
function weightDifference(
  theirs: readonly WeightSignature[],
  ours: readonly WeightSignature[],
): string | undefined {
  const count =
    theirs.length === ours.length ? "" : `${theirs.length} weight tensors there, ${ours.length} here`;
  for (let i = 0; i < Math.max(theirs.length, ours.length); i++) {
    const a = theirs[i];
    const b = ours[i];
    if (a !== undefined && b !== undefined && a.name === b.name && shapeText(a.shape) === shapeText(b.shape))
      continue;
    const there = a === undefined ? "nothing" : `${a.name} ${shapeText(a.shape)}`;
    const here = b === undefined ? "nothing" : `${b.name} ${shapeText(b.shape)}`;
    return `${count}${count ? "; " : ""}the first weight to differ is ${there} there, ${here} here`;
  }
  return undefined;
}

/**
 * Why the checkpoint at `dir` (its saved model and meta) cannot continue `model`, named `modelName`, in one
 * line; undefined when it can. Another model name is a mismatch even when the weights happen to have the same
 * shapes (two different models can); a bare tfjs model folder (no name saved) is compared by its weights alone.
 */
export function describeModelMismatch(
  checkpoint: { readonly dir: string; readonly meta: CheckpointMeta; readonly model: tf.LayersModel },
  model: tf.LayersModel,
  modelName: string,
): string | undefined {
  const difference = weightDifference(signature(checkpoint.model), signature(model));
  const saved = checkpoint.meta.modelName;
  if (saved !== undefined && saved !== modelName) {
    return (
      `${checkpoint.dir} is a checkpoint of model '${saved}', not '${modelName}' ` +
      `(${difference ?? "its weights have the same shapes, but it is another model"})`
    );
  }
  if (difference === undefined) return undefined;
  return (
    `${checkpoint.dir} does not fit model '${modelName}' as it is now (${difference}); ` +
    "it was saved from another version of the model"
  );
}
