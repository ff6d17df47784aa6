import * as tf from "@tensorflow/tfjs";

/**
 * Labels shaped the way a loss or metric compares them with the model's output `[B, ...outputShape]`, as Keras
 * and tfjs-layers expect them (`fit(x, y)` with `y` shaped like the output, or class ids for the sparse forms).
 * A data set stores each sample's labels flat (`labelShape`, `[]` for one class id or one value); a `[B]` label
 * vector must never meet a `[B, 1]` output as it is: the difference would broadcast to `[B, B]`.
 */

/** Labels that fit neither form the loss or metric needs; the message names both shapes and the loss. */
export class LabelShapeError extends Error {
  override readonly name = "LabelShapeError";
}

/** What each sample's labels must be: one value per output element, or one class id per output position. */
export type LabelForm = "dense" | "class-ids";

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function show(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Whether labels of `labelShape` per sample (class ids when `integer`) can be brought to `form` against an output
 * of `outputShape` per sample; `null` when they can, else why not. Used before training starts and by
 * `denseLabels` / `classIdLabels` themselves, so both say the same.
 */
export function labelMismatch(
  form: LabelForm,
  labelShape: readonly number[],
  integer: boolean,
  outputShape: readonly number[],
  what: string,
): string | null {
  const labels = count(labelShape);
  const elements = count(outputShape);
  const positions = count(outputShape.slice(0, -1));
  const classes = outputShape.at(-1) ?? 1;
  if (form === "dense") {
    if (labels === elements) return null;
    if (integer && labels === positions && classes > 1) return null;
    const ids = integer ? ` or ${show(outputShape.slice(0, -1))} class ids` : "";
    return (
      `${what} compares labels shaped like the model's output ${show(outputShape)}${ids}, ` +
      `but each sample has labels ${show(labelShape)} (${labels} value${labels === 1 ? "" : "s"})`
    );
  }
  if (labels === positions || labels === elements) return null;
  return (
    `${what} needs one class id per output position (${show(outputShape.slice(0, -1))} per sample ` +
    `for the output ${show(outputShape)}), but each sample has labels ${show(labelShape)}`
  );
}

function fail(form: LabelForm, y: tf.Tensor, predShape: readonly number[], what: string): never {
  const message = labelMismatch(form, y.shape.slice(1), y.dtype === "int32", predShape.slice(1), what);
  throw new LabelShapeError(message ?? `${what}: labels ${show(y.shape)} do not fit ${show(predShape)}`);
}

/**
 * Float labels shaped exactly like `pred`: reshaped when each sample has one label per output element (a `[B]`
 * column against a `[B, 1]` output becomes `[B, 1]`); one-hot over the last axis when each sample has one
 * integer class id per output position (class ids against a `[B, V]` softmax under categorical cross-entropy).
 */
export function denseLabels(y: tf.Tensor, pred: tf.Tensor, what: string): tf.Tensor {
  const rows = pred.shape[0]!;
  const labels = count(y.shape.slice(1));
  const elements = count(pred.shape.slice(1));
  if (y.shape[0] === rows && labels === elements) return tf.cast(tf.reshape(y, pred.shape), "float32");
  const classes = pred.shape.at(-1)!;
  if (y.shape[0] === rows && y.dtype === "int32" && labels * classes === elements && classes > 1) {
    const ids = tf.reshape(y, [-1]) as tf.Tensor1D;
    // int32 one-hot, then cast: the wasm backend's OneHot writes int32 data whatever dtype it is asked for.
    return tf.cast(tf.reshape(tf.oneHot(ids, classes), pred.shape), "float32");
  }
  return fail("dense", y, pred.shape, what);
}

/**
 * Integer class ids shaped like the output (`predShape`, rows first) without its last axis (`[B]` for `[B, V]`, `[B, T]` for `[B, T, V]`):
 * reshaped when each sample has one id per position (floored first, as tfjs-layers does), or the argmax of
 * one-hot labels shaped like `pred`.
 */
export function classIdLabels(y: tf.Tensor, predShape: readonly number[], what: string): tf.Tensor {
  const rows = predShape[0]!;
  const labels = count(y.shape.slice(1));
  const positionShape = predShape.slice(0, -1);
  if (y.shape[0] === rows && labels === count(positionShape.slice(1))) {
    const ids = y.dtype === "int32" ? y : tf.floor(y);
    return tf.cast(tf.reshape(ids, positionShape), "int32");
  }
  if (y.shape[0] === rows && labels === count(predShape.slice(1)))
    return tf.argMax(tf.reshape(y, [...predShape]), -1);
  return fail("class-ids", y, predShape, what);
}

/** Mean over every axis but the first: one value per sample. */
export function perSampleMean(t: tf.Tensor): tf.Tensor1D {
  if (t.rank === 1) return t as tf.Tensor1D;
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
  return tf.mean(t, axes) as tf.Tensor1D;
}
