import type { FileAst, ModelDecl, SectionDecl } from "../../../grammar/ast.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import type { Section, SectionEntry } from "../../ir/expanded.js";
import type { Reporter } from "./reporter.js";
import { toValue } from "./values.js";

export const SECTION_KEYS: Readonly<Record<SectionDecl["kind"], readonly string[]>> = {
  train: ["data", "target", "optimizer", "loss", "metrics", "epochs", "batch", "validation", "seed"],
  parallel: ["devices", "strategy", "profile", "microbatches", "backend"],
};

export interface ModelSections {
  train?: Section;
  parallel?: Section;
}

/**
 * Gives each model its `train` and `parallel` sections, keys checked (unknown and duplicate keys are errors;
 * what the values mean is checked later). A section without a name belongs to the file's only model.
 */
export function attachSections(
  ast: FileAst,
  models: readonly ModelDecl[],
  reporter: Reporter,
): Map<string, ModelSections> {
  const byModel = new Map<string, ModelSections>(models.map((m) => [m.name.name, {}]));
  for (const decl of ast.declarations) {
    if (decl.kind !== "train" && decl.kind !== "parallel") continue;
    const keywordSpan = { ...decl.span, end: decl.span.start + decl.kind.length };
    let target: string | undefined;
    if (decl.model) {
      if (byModel.has(decl.model.name)) target = decl.model.name;
      else {
        const hint = didYouMean(decl.model.name, byModel.keys());
        reporter.report("MG1017", decl.model.span, [decl.kind, decl.model.name], undefined, { hint });
      }
    } else if (models.length === 1) target = models[0]!.name.name;
    else if (models.length > 1) reporter.report("MG1018", keywordSpan, [decl.kind, models.length]);
    const section = toSection(decl, reporter);
    const slot = target === undefined ? undefined : byModel.get(target);
    if (!slot || target === undefined) continue;
    if (slot[decl.kind]) {
      reporter.report("MG1016", decl.model?.span ?? keywordSpan, [target, decl.kind], undefined, {
        notes: [{ message: "the first one is here", span: slot[decl.kind]!.span }],
      });
      continue;
    }
    slot[decl.kind] = section;
  }
  return byModel;
}

function toSection(decl: SectionDecl, reporter: Reporter): Section {
  const known = SECTION_KEYS[decl.kind];
  const entries: SectionEntry[] = [];
  const seen = new Map<string, SectionEntry>();
  for (const e of decl.entries) {
    const key = e.key.name;
    if (!known.includes(key)) {
      reporter.report("MG1014", e.key.span, [key, decl.kind], undefined, { hint: didYouMean(key, known) });
      continue;
    }
    const first = seen.get(key);
    if (first) {
      reporter.report("MG1015", e.key.span, [key, decl.kind], undefined, {
        notes: [{ message: "the first one is here", span: first.keySpan }],
      });
      continue;
    }
    const value = toValue(e.value, new Map(), (span) => reporter.report("MG1028", span));
    if (!value) continue;
    const entry = { key, keySpan: e.key.span, value };
    seen.set(key, entry);
    entries.push(entry);
  }
  return { span: decl.span, entries };
}
