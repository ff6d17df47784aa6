import type { Attrs } from "../ir/graph.js";
import type { InferInput, Shape, ShapeError } from "./op-spec.js";

/** Helpers shared by the op files: shape arithmetic and the common mistakes, phrased once. */

export const NO_PARAMS = { trainable: 0, nonTrainable: 0 } as const;

export function product(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[28, 28, 1]`, as the user writes shapes. */
export function showShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function pairAttr(attrs: Attrs, name: string): [number, number] {
  const v = attrs[name];
  if (Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "number") return [v[0], v[1]];
  if (typeof v === "number") return [v, v];
  throw new Error(`internal: attr '${name}' is not a normalised pair`);
}

export function numAttr(attrs: Attrs, name: string): number {
  const v = attrs[name];
  if (typeof v !== "number") throw new Error(`internal: attr '${name}' is not a number`);
  return v;
}

export function strAttr(attrs: Attrs, name: string): string {
  const v = attrs[name];
  if (typeof v !== "string") throw new Error(`internal: attr '${name}' is not a string`);
  return v;
}

export function boolAttr(attrs: Attrs, name: string): boolean {
  const v = attrs[name];
  if (typeof v !== "boolean") throw new Error(`internal: attr '${name}' is not a bool`);
  return v;
}

/** The first input's shape; single-input ops are given exactly one (infer-shapes checks the count first). */
export function only(input: InferInput): Shape {
  const s = input.shapes[0];
  if (s === undefined) throw new Error("internal: op called without an input shape");
  return s;
}

/**
 * MG2001 for 2-D layers: the fix suggests the image shape a flat or 2-D input most likely meant
 * ([784] → [28, 28, 1]), or reshaping when the tensor is not an input.
 */
export function spatialRankError(op: string, input: InferInput, shape: Shape): ShapeError {
  let fix = "reshape first";
  if (input.fromInput !== undefined) {
    const side = Math.round(Math.sqrt(shape[0] ?? 0));
    const guess =
      shape.length === 2
        ? [shape[0], shape[1], 1]
        : shape.length === 1 && side * side === shape[0]
          ? [side, side, 1]
          : undefined;
    if (guess) fix = `declare input ${input.fromInput}: ${showShape(guess as number[])} or reshape first`;
  }
  return { code: "MG2001", args: [op, showShape(shape), fix] };
}

/** Keras's conv/pool output length for one spatial axis (`dilation` 1 for pooling). */
export function windowOutput(
  size: number,
  window: number,
  stride: number,
  padding: string,
  dilation = 1,
): number {
  if (padding === "same") return Math.ceil(size / stride);
  const effective = dilation * (window - 1) + 1;
  return Math.floor((size - effective) / stride) + 1;
}

/** `[h, w]` of a window with dilation applied, for messages. */
export function effectiveWindow(window: [number, number], dilation: [number, number]): [number, number] {
  return [dilation[0] * (window[0] - 1) + 1, dilation[1] * (window[1] - 1) + 1];
}

/** Rough FLOPs per element of each activation, so elementwise layers are not free to the cost model. */
const ACTIVATION_FLOPS: Readonly<Record<string, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  sigmoid: 4,
  tanh: 4,
  softmax: 5,
  gelu: 8,
};

export function activationFlops(activation: string, elements: number): number {
  return (ACTIVATION_FLOPS[activation] ?? 1) * elements;
}
