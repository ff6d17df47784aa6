import { DataError } from "./data-error.js";

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The per-sample shape a source feeds to a model input: the source's own shape when equal, or the input's when
 * it only adds a trailing axis of 1 (LANGUAGE.md: `[28, 28]` feeds `[28, 28, 1]`, as the seed's
 * `x[..., tf.newaxis]`). Flat sources (CSV rows) may also fill any input with as many values.
 */
export function fitToInput(
  sourceShape: readonly number[],
  inputShape: readonly number[],
  what: string,
  options: { flat?: boolean; path?: string } = {},
): readonly number[] {
  if (same(sourceShape, inputShape)) return inputShape;
  if (inputShape.length === sourceShape.length + 1 && inputShape.at(-1) === 1) {
    if (same(sourceShape, inputShape.slice(0, -1))) return inputShape;
  }
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  if (options.flat === true && size(sourceShape) === size(inputShape)) return inputShape;
  throw new DataError(
    `${what} gives samples of shape [${sourceShape.join(", ")}]; the model input expects [${inputShape.join(", ")}]`,
    options.path,
  );
}
