import type { CallAst, ValueAst } from "../../../grammar/ast.js";
import type { RelatedNote } from "../../diagnostics/diagnostic.js";
import type { MessageCode } from "../../diagnostics/messages.js";
import type { Span } from "../../diagnostics/span.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import type { Value } from "../../ir/values.js";
import type { BlockInfo } from "./block-table.js";
import { describeValue, typeMismatch } from "./values.js";

export interface BoundArgs {
  /** One producer id per tensor parameter. */
  readonly tensors: readonly number[];
  /** Every value parameter's value, defaults filled in. */
  readonly values: ReadonlyMap<string, Value>;
}

export interface BindHelpers {
  /** Whether a positional argument names a tensor (`isTensorArg` in the caller's frame). */
  isTensor(v: ValueAst): boolean;
  /** Whether a name is a tensor bound in the caller's scope. */
  isBound(name: string): boolean;
  /** The caller's tensor names and value parameters, for did-you-mean hints. */
  known(): Iterable<string>;
  /** `_` or a bound tensor name in the caller's scope; undefined after reporting. */
  resolve(ref: ValueAst): number | undefined;
  /** A value argument in the caller's frame (its own block parameters substituted). */
  convert(v: ValueAst): Value | undefined;
  report(
    code: MessageCode,
    span: Span,
    args: readonly (string | number)[],
    extra?: { hint?: string | undefined; notes?: readonly RelatedNote[] },
  ): void;
}

/** `inner(x, n: int)`: the parameter list, for hints. */
function signature(info: BlockInfo): string {
  const params = [
    ...info.tensorParams.map((p) => p.name),
    ...info.valueParams.map((p) => `${p.name.name}: ${p.type}`),
  ];
  return `${info.decl.name.name}(${params.join(", ")})`;
}

/**
 * The hint for MG1008 when a surplus tensor argument is a name bound nowhere: most likely a value meant for a
 * value parameter, misspelt or out of scope.
 */
function surplusHint(info: BlockInfo, surplus: readonly ValueAst[], h: BindHelpers): string | undefined {
  const unknown = surplus.find((v) => v.kind === "name" && !h.isBound(v.name));
  if (unknown?.kind !== "name") return undefined;
  const guess = didYouMean(unknown.name, h.known());
  return (
    `'${unknown.name}' is neither a tensor in scope nor a value parameter of the enclosing block` +
    `${guess ? ` (${guess})` : ""}; it is declared ${signature(info)}`
  );
}

/**
 * Matches a block call's arguments to the block's parameters. A call names its tensors when its first argument
 * is `_` or a tensor's name (`residual(_, 16)`); the tensors end at the first argument that is not one, so an
 * enclosing block's value parameter passes on positionally (`inner(_, n)`). Otherwise (`x -> head(3)`, or bare `head`) the chain's input is its
 * only tensor. Undefined, after reporting, when the call cannot be expanded sensibly.
 */
export function bindBlockArgs(
  call: CallAst,
  info: BlockInfo,
  chainInput: number | undefined,
  h: BindHelpers,
): BoundArgs | undefined {
  const block = info.decl.name.name;
  const positional = call.args?.positional ?? [];
  const wanted = info.tensorParams.length;
  let ok = true;
  let tensors: (number | undefined)[];
  let rest: readonly ValueAst[];
  if (positional[0] && h.isTensor(positional[0])) {
    let k = 0;
    while (k < positional.length && h.isTensor(positional[k]!)) k++;
    if (k !== wanted) {
      const hint = k > wanted ? surplusHint(info, positional.slice(wanted, k), h) : undefined;
      h.report("MG1008", call.args?.span ?? call.span, [block, wanted, k], { hint });
      return undefined;
    }
    tensors = positional.slice(0, wanted).map((r) => h.resolve(r));
    rest = positional.slice(wanted);
  } else {
    if (wanted !== 1) {
      h.report("MG1008", call.span, [block, wanted, 0]);
      return undefined;
    }
    if (chainInput === undefined) {
      h.report("MG1027", call.span, []);
      return undefined;
    }
    tensors = [chainInput];
    rest = positional;
  }
  const values = new Map<string, Value>();
  const given = new Set<string>();
  const assign = (name: string, type: BlockInfo["valueParams"][number]["type"], arg: ValueAst): void => {
    given.add(name);
    const v = h.convert(arg);
    if (!v) return void (ok = false);
    const expected = typeMismatch(type, v);
    if (expected) {
      h.report("MG1011", v.span, [name, expected, describeValue(v)]);
      ok = false;
    } else values.set(name, v);
  };
  const params = info.valueParams;
  if (rest.length > params.length) {
    h.report("MG1035", rest[params.length]!.span, [block, params.length, rest.length]);
    ok = false;
  }
  rest.forEach((arg, i) => {
    const p = params[i];
    if (p) assign(p.name.name, p.type, arg);
  });
  for (const kw of call.args?.keyword ?? []) {
    const p = params.find((q) => q.name.name === kw.name.name);
    if (!p) {
      const hint = didYouMean(
        kw.name.name,
        params.map((q) => q.name.name),
      );
      h.report("MG1009", kw.name.span, [block, kw.name.name], { hint });
      ok = false;
    } else if (given.has(p.name.name)) {
      h.report("MG1036", kw.name.span, [p.name.name, block]);
      ok = false;
    } else assign(p.name.name, p.type, kw.value);
  }
  for (const p of params) {
    if (given.has(p.name.name)) continue;
    if (p.default) values.set(p.name.name, p.default);
    else {
      h.report("MG1010", call.span, [block, p.name.name]);
      ok = false;
    }
  }
  const resolved = tensors.filter((t): t is number => t !== undefined);
  if (!ok || resolved.length !== tensors.length) return undefined;
  return { tensors: resolved, values };
}
