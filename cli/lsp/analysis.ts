import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import type { Graph } from "../../compiler/ir/graph.js";
import type { Plan } from "../../compiler/plan/index.js";
import { compileSource } from "../../compiler/pipeline.js";
import type { FileAst } from "../../grammar/ast.js";
import { parse } from "../../grammar/index.js";
import { machineProfileOption } from "../machine-profile.js";

/** One model of the file, as far as it checked: its graph (shapes, parameters). */
export interface ModelFacts {
  readonly name: string;
  readonly graph?: Graph;
}

/** What the server knows about one version of a document. */
export interface Analysis {
  readonly source: SourceFile;
  readonly ast: FileAst;
  readonly diagnostics: readonly Diagnostic[];
  readonly models: readonly ModelFacts[];
}

/**
 * Every diagnostic `mgpuc check` gives, and each model's graph, for one text: the same passes as `check`
 * (through `check-data`), so diagnostics come as fast as `check`'s. Never throws on any input.
 */
export function analyse(path: string, text: string): Analysis {
  const source = new SourceFile(path, text);
  const { ast } = parse(source);
  const front = compileSource(source, { stopAfter: "expand-blocks" });
  const frontErrors = front.diagnostics.some((d) => d.severity === "error");
  const names = frontErrors ? [] : (front.models ?? []).map((m) => m.name);
  const seen = new Map<string, Diagnostic>();
  const keep = (ds: readonly Diagnostic[]) => {
    for (const d of ds) seen.set(`${d.code}@${d.span.start}:${d.span.end}:${d.message}`, d);
  };
  keep(front.diagnostics);
  const models: ModelFacts[] = [];
  for (const name of names) {
    const checked = compileSource(source, { stopAfter: "check-data", model: name });
    keep(checked.diagnostics);
    models.push({ name, ...(checked.graph ? { graph: checked.graph } : {}) });
  }
  const diagnostics = [...seen.values()].sort((a, b) => a.span.start - b.span.start);
  return { source, ast, diagnostics, models };
}

/**
 * A model's plan, for hover's placement facts: compiled on demand, planning being the slow part. Planned as
 * `explain` plans it: a model that names no profile uses this machine's cached one (cli/machine-profile.ts);
 * a cache that cannot be read is left for `explain` and `train` to report.
 */
export function planOf(analysis: Analysis, model: string): Plan | undefined {
  return compileSource(analysis.source, { model, ...machineProfileOption({}, () => undefined) }).plan;
}
