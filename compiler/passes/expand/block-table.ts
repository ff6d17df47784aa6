import type { BlockDecl, FileAst, Ident } from "../../../grammar/ast.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import type { Value } from "../../ir/values.js";
import type { Reporter } from "./reporter.js";
import { PARAM_TYPES, describeValue, isParamType, toValue, typeMismatch, type ParamType } from "./values.js";

export interface ValueParam {
  readonly name: Ident;
  readonly type: ParamType;
  readonly default?: Value;
}

export interface BlockInfo {
  readonly decl: BlockDecl;
  /** Untyped parameters, which come first. */
  readonly tensorParams: readonly Ident[];
  readonly valueParams: readonly ValueParam[];
  /** Set by `checkBlockGraph` when the block takes part in recursion; calls to it are then skipped. */
  recursive: boolean;
  /** Layers one call creates, saturating; set by `checkBlockGraph`. */
  size: number;
}

/** The file's blocks by name, their parameter lists checked. The first of two same-named blocks wins. */
export function collectBlocks(ast: FileAst, reporter: Reporter): Map<string, BlockInfo> {
  const blocks = new Map<string, BlockInfo>();
  for (const decl of ast.declarations) {
    if (decl.kind !== "block" || decl.name.name === "") continue;
    if (blocks.has(decl.name.name)) {
      reporter.report("MG1022", decl.name.span, ["block", decl.name.name]);
      continue;
    }
    blocks.set(decl.name.name, checkParams(decl, reporter));
  }
  return blocks;
}

function checkParams(decl: BlockDecl, reporter: Reporter): BlockInfo {
  const tensorParams: Ident[] = [];
  const valueParams: ValueParam[] = [];
  const seen = new Set<string>();
  for (const p of decl.params) {
    if (seen.has(p.name.name)) {
      reporter.report("MG1037", p.name.span, [decl.name.name, p.name.name]);
      continue;
    }
    seen.add(p.name.name);
    if (!p.type) {
      if (valueParams.length > 0) reporter.report("MG1033", p.name.span, [p.name.name]);
      else tensorParams.push(p.name);
      continue;
    }
    const type = p.type.name;
    if (!isParamType(type)) {
      reporter.report("MG1032", p.type.span, [type], undefined, { hint: didYouMean(type, PARAM_TYPES) });
      continue;
    }
    let fallback: Value | undefined;
    if (p.default) {
      fallback = toValue(p.default, new Map(), (span) => reporter.report("MG1028", span));
      const expected = fallback ? typeMismatch(type, fallback) : undefined;
      if (fallback && expected) {
        reporter.report("MG1011", fallback.span, [p.name.name, expected, describeValue(fallback)]);
        fallback = undefined;
      }
    }
    valueParams.push({ name: p.name, type, ...(fallback ? { default: fallback } : {}) });
  }
  if (tensorParams.length === 0) reporter.report("MG1034", decl.name.span, [decl.name.name]);
  return { decl, tensorParams, valueParams, recursive: false, size: 0 };
}
