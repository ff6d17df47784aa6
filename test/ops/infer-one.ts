import { expect } from "vitest";
import type { IRNode } from "../../compiler/ir/graph.js";
import { verifyGraph } from "../../compiler/ir/verify.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { buildModel, context, type LayerSpec, type Plain } from "../passes/build.js";

/** Lowers and infers one layer on `shape` (plus any extra layers), asserting that nothing was reported. */
export function inferOne(
  shape: readonly number[],
  op: string,
  pos: readonly Plain[] = [],
  kw: Record<string, Plain> = {},
): IRNode {
  return inferChain(shape, [{ op, pos, kw }]).at(-1)!;
}

export function inferChain(
  shape: readonly number[],
  layers: readonly LayerSpec[],
  dtype?: "int32",
): IRNode[] {
  const ctx = context();
  const graph = inferShapes(lower(buildModel(shape, layers, dtype ? { dtype } : {}), ctx), ctx);
  expect(ctx.diagnostics.items.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  expect(verifyGraph(graph)).toEqual([]);
  return [...graph.nodes];
}

/** Keras's (TensorFlow's) output length: explicit padding totals, not the ceil shortcut, as an independent oracle. */
export function kerasLength(n: number, k: number, s: number, padding: "valid" | "same", d = 1): number {
  const eff = d * (k - 1) + 1;
  if (padding === "valid") return Math.floor((n - eff) / s) + 1;
  const outSame = Math.floor((n + s - 1) / s);
  const padTotal = Math.max((outSame - 1) * s + eff - n, 0);
  return Math.floor((n + padTotal - eff) / s) + 1;
}
