import { DiagnosticBag, SourceFile, type Diagnostic } from "../../compiler/diagnostics/index.js";
import type { ExpandedModel } from "../../compiler/ir/expanded.js";
import { expandBlocks } from "../../compiler/passes/expand-blocks.js";
import { parse } from "../../grammar/index.js";
import type { FileAst } from "../../grammar/index.js";

export interface FrontendRun {
  readonly source: SourceFile;
  readonly ast: FileAst;
  readonly parseDiagnostics: readonly Diagnostic[];
  readonly diagnostics: readonly Diagnostic[];
  readonly models: readonly ExpandedModel[];
}

/**
 * parse + expandBlocks over one in-memory file, the way `compileSource` runs them: expansion only when the
 * parse was clean (`always` runs it regardless, as the fuzz test does).
 */
export function frontend(text: string | readonly string[], path = "t.model", always = false): FrontendRun {
  const source = new SourceFile(path, typeof text === "string" ? text : text.join("\n"));
  const parsed = parse(source);
  const bag = new DiagnosticBag();
  const clean = !parsed.diagnostics.some((d) => d.severity === "error");
  const models = clean || always ? expandBlocks(parsed.ast, { diagnostics: bag, source }) : [];
  return {
    source,
    ast: parsed.ast,
    parseDiagnostics: parsed.diagnostics,
    diagnostics: [...parsed.diagnostics, ...bag.items],
    models,
  };
}

/** `MG1003 3:3` for each diagnostic, in source order. */
export function located(run: FrontendRun): string[] {
  return [...run.diagnostics]
    .sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code))
    .map((d) => {
      const p = run.source.position(d.span.start);
      return `${d.code} ${p.line}:${p.column}`;
    });
}

/** The only model's layers as `name=op<-inputs`, for compact assertions. */
export function layerSummary(model: ExpandedModel | undefined): string[] {
  return (model?.layers ?? []).map(
    (l) => `${l.name}=${l.op}${l.inputs.length ? `<-${l.inputs.join(",")}` : ""}`,
  );
}
