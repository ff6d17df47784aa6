import type { FileAst, ModelDecl } from "../../grammar/ast.js";
import type { ExpandedModel } from "../ir/expanded.js";
import type { PassContext } from "../diagnostics/pass-context.js";
import { checkBlockGraph } from "./expand/block-graph.js";
import { collectBlocks } from "./expand/block-table.js";
import { ModelExpander } from "./expand/model-expander.js";
import { Reporter } from "./expand/reporter.js";
import { attachSections } from "./expand/sections.js";

/**
 * The front end's second half: from the AST to one `ExpandedModel` per model, with blocks and `repeat`
 * unrolled (recursion and runaway unrolling are errors, found before any unrolling), names resolved with
 * LANGUAGE.md's scoping, and `train` / `parallel` sections attached. Problems go to `ctx.diagnostics`; it never
 * throws, even on the partial AST a file with syntax errors leaves.
 */
export function expandBlocks(ast: FileAst, ctx: PassContext): ExpandedModel[] {
  const reporter = new Reporter(ctx.diagnostics);
  const blocks = collectBlocks(ast, reporter);
  checkBlockGraph(blocks, reporter);
  const models: ModelDecl[] = [];
  const seen = new Set<string>();
  for (const decl of ast.declarations) {
    if (decl.kind !== "model" || decl.name.name === "") continue;
    if (seen.has(decl.name.name)) {
      reporter.report("MG1022", decl.name.span, ["model", decl.name.name]);
      continue;
    }
    seen.add(decl.name.name);
    models.push(decl);
  }
  if (models.length === 0 && !ast.declarations.some((d) => d.kind === "model")) {
    reporter.report("MG1023", { ...ast.span, end: ast.span.start });
  }
  const sections = attachSections(ast, models, reporter);
  return models.map((m) => new ModelExpander(blocks, reporter).expand(m, sections.get(m.name.name) ?? {}));
}
