import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { parse } from "../../grammar/index.js";
import { DiagnosticBag } from "../../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { verifyGraph } from "../../compiler/ir/verify.js";
import { checkData } from "../../compiler/passes/check-data.js";
import { expandBlocks } from "../../compiler/passes/expand-blocks.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { resolveTraining } from "../../compiler/passes/resolve-config.js";

export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples");

/**
 * The front half of the pipeline, parse → expand-blocks → lower → infer-shapes → check-data, run pass by pass
 * with the IR verified after each, so these tests depend on nothing after check-data.
 */
export function compileText(text: string, path = "test.model") {
  const source = new SourceFile(path, text);
  const ctx = { diagnostics: new DiagnosticBag(), source };
  const parsed = parse(source);
  for (const d of parsed.diagnostics) ctx.diagnostics.add(d);
  const [model] = expandBlocks(parsed.ast, ctx);
  if (!model) return { source, diagnostics: ctx.diagnostics.items };
  const lowered = lower(model, ctx);
  expect(verifyGraph(lowered)).toEqual([]);
  const graph = inferShapes(lowered, ctx);
  const training = resolveTraining(model, ctx, dirname(path));
  if (!ctx.diagnostics.hasErrors()) {
    expect(verifyGraph(graph, { shapesKnown: true })).toEqual([]);
    checkData(graph, training, ctx);
  }
  return { source, diagnostics: ctx.diagnostics.items, model, graph, training };
}

export function compileExample(name: string) {
  const path = join(EXAMPLES_DIR, name);
  return compileText(readFileSync(path, "utf8"), path);
}

/** `line:column` of each diagnostic, for assertions that read like the rendered output. */
export function positions(result: ReturnType<typeof compileText>): string[] {
  return result.diagnostics.map((d) => {
    const { line, column } = result.source.position(d.span.start);
    return `${d.code} ${line}:${column}`;
  });
}
