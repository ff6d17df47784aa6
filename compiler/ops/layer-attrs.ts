import type { Attrs } from "../ir/graph.js";
import type { WithAttrs } from "./op-attrs.js";
import { OPS } from "./op-table.js";

/**
 * Attrs read by the role they play across ops rather than by op — for code that must not name ops (the cost
 * model, layouts, the runtime's shards, checkpoints): a layer's fused activation, its bias flag, and the width
 * its sharding rule cuts; and a shard's copy with that width.
 */

/** The fused activation of a layer whose op has one (`dense`, `conv2d`, ...); undefined for other ops. */
export function activationOf(layer: WithAttrs): string | undefined {
  const schema = OPS.get(layer.op)?.args.find((a) => a.name === "activation");
  if (schema === undefined) return undefined;
  const value = layer.attrs?.["activation"] ?? schema.default;
  return typeof value === "string" ? value : undefined;
}

/** A layer's `use_bias` when its op has one (`dense`, `conv2d`, `attention`, ...); undefined for other ops. */
export function useBiasOf(layer: WithAttrs): boolean | undefined {
  const schema = OPS.get(layer.op)?.args.find((a) => a.name === "use_bias");
  if (schema === undefined) return undefined;
  const value = layer.attrs?.["use_bias"] ?? schema.default;
  return typeof value === "boolean" ? value : undefined;
}

/**
 * The width the op's sharding rule cuts (its `attr`: dense `units`, conv2d `filters`, attention `heads`, an
 * embedding's `input_dim`), or undefined when the rule cuts nothing or the layer carries no such attr.
 */
export function shardedWidth(layer: WithAttrs): number | undefined {
  const rule = OPS.get(layer.op)?.sharding;
  if (rule === undefined || !("attr" in rule)) return undefined;
  const value = layer.attrs?.[rule.attr];
  return typeof value === "number" ? value : undefined;
}

/**
 * A copy of `layer` as one device's shard builds it: the rule's width set to `width` (this device's heads,
 * rows or units) and, with `linear`, the fused activation left off (run after the shards' partial sums or
 * gather).
 */
export function shardAttrs<L extends WithAttrs>(
  layer: L,
  change: { readonly width?: number; readonly linear?: boolean },
): L {
  const rule = OPS.get(layer.op)?.sharding;
  const attrs: Record<string, Attrs[string]> = { ...layer.attrs };
  if (change.width !== undefined) {
    if (rule === undefined || !("attr" in rule))
      throw new Error(`internal: op '${layer.op}' has no width to shard`);
    attrs[rule.attr] = change.width;
  }
  if (change.linear === true) attrs["activation"] = "linear";
  return { ...layer, attrs };
}
