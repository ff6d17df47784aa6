import type { AttrValue, Attrs, Graph, IRNode } from "../../ir/graph.js";

/** Typed reads of a node's normalised attrs (`lower` fills defaults), with a clear error for an emitter bug. */
export function num(attrs: Attrs, key: string, fallback?: number): number {
  const v = attrs[key];
  if (typeof v === "number") return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`attr ${key} is not a number: ${JSON.stringify(v)}`);
}

export function str(attrs: Attrs, key: string, fallback: string): string {
  const v = attrs[key];
  return typeof v === "string" ? v : fallback;
}

export function bool(attrs: Attrs, key: string, fallback: boolean): boolean {
  const v = attrs[key];
  return typeof v === "boolean" ? v : fallback;
}

/** An `[h, w]` attr; an int (not yet normalised) counts for both. */
export function pair(attrs: Attrs, key: string, fallback: readonly [number, number]): [number, number] {
  const v: AttrValue | undefined = attrs[key];
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "number") return [v[0], v[1]];
  return [fallback[0], fallback[1]];
}

export function numbers(v: AttrValue | undefined): number[] | undefined {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number")) return undefined;
  return v as number[];
}

/** The per-sample shape feeding input `i` of a node. */
export function inputShape(graph: Graph, node: IRNode, i = 0): readonly number[] {
  const id = node.inputs[i];
  const producer = id === undefined ? undefined : graph.nodes[id];
  return producer ? shapeOf(producer) : [];
}

/** A node's output shape; an `input` node's declared shape when shapes were not inferred. */
export function shapeOf(node: IRNode): readonly number[] {
  return node.outputShape ?? numbers(node.attrs.shape) ?? [];
}

/**
 * Keras's padding for one spatial axis as [before, after]: `same` pads so that out = ceil(in / stride), the odd
 * cell after (bottom, right), which is what torch's own `padding="same"` cannot do for strides above 1.
 */
export function samePadding(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
): [number, number] {
  const window = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + window - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** `zeropad2d`'s padding as [[top, bottom], [left, right]], from any of its normalised or written forms. */
export function zeroPadding(v: AttrValue | undefined): [[number, number], [number, number]] {
  if (typeof v === "number")
    return [
      [v, v],
      [v, v],
    ];
  const flat = numbers(v);
  if (flat && flat.length === 2)
    return [
      [flat[0]!, flat[0]!],
      [flat[1]!, flat[1]!],
    ];
  if (Array.isArray(v)) {
    const rows = v.map((r) => numbers(r) ?? [0, 0]);
    return [
      [rows[0]?.[0] ?? 0, rows[0]?.[1] ?? 0],
      [rows[1]?.[0] ?? 0, rows[1]?.[1] ?? 0],
    ];
  }
  return [
    [0, 0],
    [0, 0],
  ];
}
