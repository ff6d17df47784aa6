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
