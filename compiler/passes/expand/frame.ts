import type { CallAst, ChainAst, ValueAst } from "../../../grammar/ast.js";
import type { Hint } from "../../ir/expanded.js";
import type { Value } from "../../ir/values.js";
import type { BlockInfo } from "./block-table.js";
import { Namespace } from "./namespace.js";
import type { CallStack } from "./reporter.js";
import { Scope } from "./scope.js";

/** Everything that changes when expansion enters a block call or a `repeat` pass. */
export interface Frame extends CallStack {
  readonly scope: Scope;
  readonly ns: Namespace;
  /** Hints of the enclosing block calls, applied to every layer inside them. */
  readonly hints: readonly Hint[];
  /** The enclosing block's value parameters. */
  readonly values: ReadonlyMap<string, Value>;
  /** In the model's own body, where `input` and `output` belong. */
  readonly topLevel: boolean;
  readonly depth: number;
}

const NO_HINTS: readonly Hint[] = Object.freeze([]);

export function modelFrame(): Frame {
  const scope = new Scope();
  return {
    callSites: [],
    blockNames: [],
    scope,
    ns: new Namespace(""),
    hints: NO_HINTS,
    values: new Map(),
    topLevel: true,
    depth: 0,
  };
}

/** A `repeat` pass: a fresh scope that still sees the enclosing one. */
export function repeatFrame(frame: Frame): Frame {
  return { ...frame, scope: new Scope(frame.scope), topLevel: false, depth: frame.depth + 1 };
}

/** A block call: a scope of its own (blocks see no caller's names) and a nested naming level. */
export function blockFrame(
  frame: Frame,
  call: CallAst,
  scope: Scope,
  hints: readonly Hint[],
  values: ReadonlyMap<string, Value>,
): Frame {
  return {
    callSites: [call.span, ...frame.callSites],
    blockNames: [call.name.name, ...frame.blockNames],
    scope,
    ns: frame.ns.child(call.name.name),
    hints: hints.length === 0 ? frame.hints : [...hints, ...frame.hints],
    values,
    topLevel: false,
    depth: frame.depth + 1,
  };
}

/**
 * Whether a call's positional argument names a tensor: `_`, or a bare name, unless that name is a value
 * parameter of the enclosing block and no tensor of that name is bound (`inner(_, n)` inside
 * `block outer(x, n: int)` passes the value of `n`). An unknown name still counts as a tensor, so it is
 * reported as one (MG1005, or MG1008 for a block given too many).
 */
export function isTensorArg(v: ValueAst, frame: Frame): boolean {
  if (v.kind === "underscore") return true;
  if (v.kind !== "name") return false;
  return frame.scope.lookup(v.name) !== undefined || !frame.values.has(v.name);
}

export type Resolved = { kind: "ref"; id: number | undefined } | { kind: "layer" } | { kind: "block" };

/**
 * What each chain element is: `_` and a bare name bound in scope are tensors; any other name is a block when
 * one has that name, else a layer. Decided before the chain runs, since its own bindings come after it.
 */
export function classifyChain(
  chain: ChainAst,
  frame: Frame,
  current: number | undefined,
  blocks: ReadonlyMap<string, BlockInfo>,
): Resolved[] {
  return chain.elements.map((e): Resolved => {
    if (e.kind === "underscore") return { kind: "ref", id: current };
    if (!e.args && e.hints.length === 0) {
      const bound = frame.scope.lookup(e.name.name);
      if (bound) return { kind: "ref", id: bound.id };
    }
    return blocks.has(e.name.name) ? { kind: "block" } : { kind: "layer" };
  });
}
