import type { IRNode } from "../ir/graph.js";
import { shardingOf } from "../plan/layer-layout.js";

/**
 * What model degree m > 1 means for a layer's cost, read from the op table's sharding rule:
 * - `contract`: parameters split along output units/channels; needs the whole input, produces a channel
 *   shard, and its input gradient is a partial sum reduced across the m devices (dense, conv2d);
 * - `channel`: works channel by channel, so it takes and produces a channel shard (activations but softmax, pooling, dropout, batchnorm, add);
 * - `none`: cannot be split; with m > 1 every one of the d·m devices runs it on the whole batch, as the runtime
 *   does (rows sliced over d of them would be counted m times in the input gradient).
 */
export type SplitKind = "contract" | "channel" | "none";

export function splitKind(node: IRNode): SplitKind {
  const kind = shardingOf(node.op).kind;
  return kind === "column" ? "contract" : kind === "channelwise" ? "channel" : "none";
}

/** Whether `@model` can be honoured: the layer's own work shrinks with m. */
export function isSplittable(node: IRNode): boolean {
  return splitKind(node) !== "none";
}
