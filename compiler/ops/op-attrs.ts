import type { Attrs } from "../ir/graph.js";
import { readArgs, type ArgValues } from "./arg-values.js";
import { OPS, type AnyOpSpec, type OpName } from "./op-table.js";

/**
 * Each op's attributes, typed: derived from its spec's `args` schema (`arg-values.ts` maps each argument kind to
 * its normalised value type), so the schema stays the single source. `OpAttrs["dense"]` is
 * `{ units: number; activation: "relu" | ... | "linear"; use_bias: boolean }`; attrs that `infer` fills
 * (attention's `key_dim`, `value_dim`) are there too, since every reader runs after `infer-shapes`.
 */
export type OpAttrs = { readonly [N in OpName]: ArgValues<Extract<AnyOpSpec, { readonly name: N }>["args"]> };

/**
 * What carries attrs: an IR node, a plan's layer, a layout input. `name` (when there) names it in errors.
 * `attrs` may be absent where a caller has none (a layout asked about an op alone): every default then applies.
 */
export interface WithAttrs {
  readonly op: string;
  readonly name?: string;
  readonly attrs?: Attrs;
}

/**
 * The typed attrs of a layer of op `op`: the only way code outside this folder reads an IR node's attrs (an
 * eslint rule says so). Checks that the layer is an `op` — a mismatch is a bug in the caller and throws — and
 * reads its stored attrs through the op's schema: values checked and normalised, missing ones given the spec's
 * (Keras's) default, so no backend repeats a default of its own.
 */
export function attrsOf<N extends OpName>(layer: WithAttrs, op: N): OpAttrs[N] {
  const where = `IR node '${layer.name ?? "?"}' (${layer.op})`;
  if (layer.op !== op) throw new Error(`internal: ${where} read as a '${op}' layer`);
  const spec = OPS.get(op);
  if (spec === undefined) throw new Error(`internal: no op '${op}' in the op table`);
  return readArgs(spec.args, layer.attrs ?? {}, where) as OpAttrs[N];
}

/**
 * The Keras default of one of an op's arguments, from its spec, typed as the attr is: for backends that leave
 * defaults out of the code they write (`Conv2D(32, 3)` without `strides=1`).
 */
export function opDefault<N extends OpName, K extends keyof OpAttrs[N] & string>(
  op: N,
  arg: K,
): OpAttrs[N][K] {
  const value = OPS.get(op)?.args.find((a) => a.name === arg)?.default;
  if (value === undefined) throw new Error(`internal: op '${op}' has no default for '${arg}'`);
  return value as OpAttrs[N][K];
}
