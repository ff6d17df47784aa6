import type { Span } from "../diagnostics/span.js";

/**
 * An argument or section value as written in the `.model` file, after block parameters are substituted.
 * Every value keeps its span so argument checks can point at it exactly.
 */
export type Value =
  | { readonly kind: "number"; readonly value: number; readonly isInteger: boolean; readonly span: Span }
  | { readonly kind: "string"; readonly value: string; readonly span: Span }
  | { readonly kind: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly Value[]; readonly span: Span }
  /** A bare identifier in value position: an enum (`relu`, `same`, `mnist`, `accuracy`) or `all`. */
  | { readonly kind: "name"; readonly name: string; readonly span: Span }
  /** A call in value position: `adam(lr: 0.001)`, `csv("f.csv", label: "y")`, `synthetic(samples: 10)`. */
  | { readonly kind: "call"; readonly name: string; readonly args: Args; readonly span: Span };

export interface KeywordArg {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: Value;
}

/** Positional arguments come before keyword ones (the grammar enforces it). */
export interface Args {
  readonly positional: readonly Value[];
  readonly keyword: readonly KeywordArg[];
  /** The span of the whole argument list, parentheses included, or of the call's name when it has none. */
  readonly span: Span;
}

/** `3`, `"a.csv"`, `relu`, `[1, 2]`, `adam(lr: 0.001)`: a value as it would be written in a `.model` file. */
export function formatValue(v: Value): string {
  switch (v.kind) {
    case "number":
      return String(v.value);
    case "string":
      return JSON.stringify(v.value);
    case "bool":
      return String(v.value);
    case "name":
      return v.name;
    case "list":
      return `[${v.items.map(formatValue).join(", ")}]`;
    case "call":
      return `${v.name}(${formatArgs(v.args)})`;
  }
}

/** An argument list as it would be written: positional, then `name: value`. */
export function formatArgs(args: Args): string {
  return [
    ...args.positional.map(formatValue),
    ...args.keyword.map((k) => `${k.name}: ${formatValue(k.value)}`),
  ].join(", ");
}
