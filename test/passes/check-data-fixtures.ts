import { expect } from "vitest";
import { checkData } from "../../compiler/passes/check-data.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { resolveTraining } from "../../compiler/passes/resolve-config.js";
import { buildModel, context, type LayerSpec, type Plain } from "./build.js";

/** Models and the check-data harness shared by check-data.test.ts and check-data-files.test.ts. */

export const MLP: LayerSpec[] = [
  { op: "dense", pos: [128], kw: { activation: "relu" } },
  { op: "dense", pos: [10], kw: { activation: "softmax" } },
];
export const AUTOENCODER: LayerSpec[] = [
  { op: "flatten" },
  { op: "dense", pos: [32], kw: { activation: "relu" } },
  { op: "dense", pos: [784], kw: { activation: "sigmoid" } },
  { op: "reshape", pos: [[28, 28]] },
];
export const CNN: LayerSpec[] = [
  { op: "conv2d", pos: [8, 3] },
  { op: "flatten" },
  { op: "dense", pos: [10], kw: { activation: "softmax" } },
];

export function check(shape: readonly number[], layers: readonly LayerSpec[], train: Record<string, Plain>) {
  const model = buildModel(shape, layers, { train });
  const ctx = context();
  const graph = inferShapes(lower(model, ctx), ctx);
  const training = resolveTraining(model, ctx, "/nowhere");
  expect(ctx.diagnostics.items).toEqual([]);
  checkData(graph, training, ctx);
  return { diagnostics: ctx.diagnostics.items, model };
}

export const entry = (model: ReturnType<typeof buildModel>, key: string) =>
  model.train!.entries.find((e) => e.key === key)!.value.span;
