import type { Span } from "../compiler/diagnostics/span.js";

/**
 * The typed AST of a `.model` file. Every node carries the span of the text it came from. It records what was
 * written, nothing more: names are resolved and blocks expanded later (`compiler/passes/expand-blocks.ts`).
 */
export interface FileAst {
  readonly kind: "file";
  readonly span: Span;
  /** In source order. */
  readonly declarations: readonly Declaration[];
}

export type Declaration = ModelDecl | BlockDecl | SectionDecl;

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

export interface ModelDecl {
  readonly kind: "model";
  readonly name: Ident;
  readonly body: readonly Statement[];
  readonly span: Span;
}

export interface BlockDecl {
  readonly kind: "block";
  readonly name: Ident;
  readonly params: readonly ParamDecl[];
  readonly body: readonly Statement[];
  readonly span: Span;
}

/** `x` (a tensor) or `filters: int = 1` (a value with a type and an optional default). */
export interface ParamDecl {
  readonly name: Ident;
  readonly type?: Ident;
  readonly default?: ValueAst;
  readonly span: Span;
}

/** `train [Model] { key: value }` or `parallel [Model] { ... }`. */
export interface SectionDecl {
  readonly kind: "train" | "parallel";
  readonly model?: Ident;
  readonly entries: readonly SectionEntryAst[];
  readonly span: Span;
}

export interface SectionEntryAst {
  readonly key: Ident;
  readonly value: ValueAst;
  readonly span: Span;
}

export type Statement = InputStmt | OutputStmt | RepeatStmt | BindingStmt | ChainStmt;

export interface NumberLit {
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}

export interface InputStmt {
  readonly kind: "input";
  readonly name: Ident;
  readonly dtype?: Ident;
  readonly shape: readonly NumberLit[];
  readonly shapeSpan: Span;
  readonly span: Span;
}

export interface OutputStmt {
  readonly kind: "output";
  readonly refs: readonly RefAst[];
  readonly span: Span;
}

export interface RepeatStmt {
  readonly kind: "repeat";
  readonly count: NumberLit;
  readonly body: readonly Statement[];
  readonly span: Span;
}

export interface BindingStmt {
  readonly kind: "binding";
  readonly name: Ident;
  readonly chain: ChainAst;
  readonly span: Span;
}

export interface ChainStmt {
  readonly kind: "chain";
  readonly chain: ChainAst;
  readonly span: Span;
}

export interface ChainAst {
  readonly elements: readonly ElementAst[];
  readonly span: Span;
}

/** `_` or a name with optional arguments and hints; whether a bare name is a tensor or a call is decided later. */
export type ElementAst = { readonly kind: "underscore"; readonly span: Span } | CallAst;

export interface CallAst {
  readonly kind: "call";
  readonly name: Ident;
  /** Absent for a bare name (`flatten`). */
  readonly args?: ArgsAst;
  readonly hints: readonly HintAst[];
  /** The name through the closing parenthesis; hints excluded. */
  readonly span: Span;
}

export interface HintAst {
  readonly name: Ident;
  readonly value?: NumberLit;
  readonly span: Span;
}

export type RefAst =
  | { readonly kind: "underscore"; readonly span: Span }
  | { readonly kind: "name"; readonly name: string; readonly span: Span };

export interface ArgsAst {
  readonly positional: readonly ValueAst[];
  readonly keyword: readonly KeywordArgAst[];
  /** Parentheses included. */
  readonly span: Span;
}

export interface KeywordArgAst {
  readonly name: Ident;
  readonly value: ValueAst;
}

export type ValueAst =
  | { readonly kind: "number"; readonly value: number; readonly isInteger: boolean; readonly span: Span }
  | { readonly kind: "string"; readonly value: string; readonly span: Span }
  | { readonly kind: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "underscore"; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly ValueAst[]; readonly span: Span }
  | { readonly kind: "name"; readonly name: string; readonly span: Span }
  | {
      readonly kind: "call";
      readonly name: string;
      readonly nameSpan: Span;
      readonly args: ArgsAst;
      readonly span: Span;
    };
