import type { ArgsAst, ValueAst } from "../../../grammar/ast.js";
import type { Span } from "../../diagnostics/span.js";
import type { Args, KeywordArg, Value } from "../../ir/values.js";

/** The value types a block parameter may declare. */
export const PARAM_TYPES = ["int", "float", "bool", "string", "shape"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export function isParamType(name: string): name is ParamType {
  return (PARAM_TYPES as readonly string[]).includes(name);
}

/** Called for a `_` where a value belongs; the caller reports it. */
export type OnUnderscore = (span: Span) => void;

/**
 * An argument as written, with block parameters replaced by their values: inside `block b(x, n: int)`, the `n`
 * of `dense(n)` becomes the number given at the call. A substituted value keeps the span where it was written,
 * so a later error about it points at the call site's argument.
 */
export function toValue(
  v: ValueAst,
  subst: ReadonlyMap<string, Value>,
  onUnderscore: OnUnderscore,
): Value | undefined {
  switch (v.kind) {
    case "underscore":
      onUnderscore(v.span);
      return undefined;
    case "name":
      return subst.get(v.name) ?? v;
    case "list": {
      const items: Value[] = [];
      for (const item of v.items) {
        const converted = toValue(item, subst, onUnderscore);
        if (converted) items.push(converted);
      }
      return { kind: "list", items, span: v.span };
    }
    case "call":
      return { kind: "call", name: v.name, args: toArgs(v.args, subst, onUnderscore), span: v.span };
    default:
      return v;
  }
}

export function toArgs(args: ArgsAst, subst: ReadonlyMap<string, Value>, onUnderscore: OnUnderscore): Args {
  return valuesToArgs(args.positional, args.keyword, args.span, subst, onUnderscore);
}

export function valuesToArgs(
  positional: readonly ValueAst[],
  keyword: ArgsAst["keyword"],
  span: Span,
  subst: ReadonlyMap<string, Value>,
  onUnderscore: OnUnderscore,
): Args {
  const pos: Value[] = [];
  for (const p of positional) {
    const v = toValue(p, subst, onUnderscore);
    if (v) pos.push(v);
  }
  const kw: KeywordArg[] = [];
  for (const k of keyword) {
    const v = toValue(k.value, subst, onUnderscore);
    if (v) kw.push({ name: k.name.name, nameSpan: k.name.span, value: v });
  }
  return { positional: pos, keyword: kw, span };
}

/** Undefined when the value fits the type, else what was expected, for MG1011. */
export function typeMismatch(type: ParamType, v: Value): string | undefined {
  switch (type) {
    case "int":
      return v.kind === "number" && v.isInteger ? undefined : "an integer";
    case "float":
      return v.kind === "number" ? undefined : "a number";
    case "bool":
      return v.kind === "bool" ? undefined : "true or false";
    case "string":
      return v.kind === "string" ? undefined : "a string";
    case "shape":
      return v.kind === "list" && v.items.every((i) => i.kind === "number" && i.isInteger)
        ? undefined
        : "a shape such as [7, 7, 64]";
  }
}

/** A short description of a value for messages: `3.5`, `'relu'`, `"a.csv"`, `a list`. */
export function describeValue(v: Value): string {
  switch (v.kind) {
    case "number":
      return String(v.value);
    case "string":
      return JSON.stringify(v.value);
    case "bool":
      return String(v.value);
    case "name":
      return `'${v.name}'`;
    case "list":
      return "a list";
    case "call":
      return `a call to '${v.name}'`;
  }
}
