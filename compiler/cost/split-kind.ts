import type { Graph, IRNode } from "../ir/graph.js";
import { graphSplits, shardingOf } from "../plan/layer-layout.js";
import { shardedWidth } from "../ops/index.js";

/**
 * What model degree m > 1 means for a layer's cost, read from the op table's sharding rule:
 * - `contract`: parameters split along output units/channels; needs the whole input, produces a channel
 *   shard, and its input gradient is a partial sum reduced across the m devices (dense, conv2d);
 * - `row`: a dense whose input arrives as a channel block (`graphSplits`): takes it, parameters split
 *   along input features, produces partial sums (all-reduced where the whole is needed);
 * - `heads`: attention split by heads: needs the whole input (its gradient reduced, as `contract`), produces
 *   partial sums; with a degree that does not divide the heads it runs as `none`;
 * - `vocab`: an embedding cut by vocabulary rows: token ids in (no gradient to reduce), partial sums out;
 * - `channel`: works channel by channel, so it takes and produces a channel shard (activations but softmax,
 *   pooling, dropout, batchnorm, add) — where some input arrives as a block; otherwise `none` (`graphSplits`);
 * - `none`: cannot be split; with m > 1 every one of the d·m devices runs it on the whole batch, as the runtime
 *   does (rows sliced over d of them would be counted m times in the input gradient).
 */
export type SplitKind = "contract" | "row" | "heads" | "vocab" | "channel" | "none";

/** The kind of node `v` of `graph` (a dense is `row` or `contract` by its place in the graph). */
export function splitKind(graph: Graph, node: IRNode): SplitKind {
  const rule = shardingOf(node.op);
  switch (rule.kind) {
    case "column":
      return graphSplits(graph).get(node.id) === "input_features" ? "row" : "contract";
    case "heads":
      return "heads";
    case "vocabulary":
      return "vocab";
    case "channelwise":
      return graphSplits(graph).get(node.id) === "none" ? "none" : "channel";
    case "replicated":
      return "none";
  }
}

/** The head count of a `heads` layer (what m must divide), else undefined. */
export function headsOf(node: IRNode): number | undefined {
  return shardingOf(node.op).kind === "heads" ? shardedWidth(node) : undefined;
}

/** The kind a layer takes under model degree m: attention with m not dividing its heads runs replicated. */
export function kindUnder(kind: SplitKind, heads: number | undefined, m: number): SplitKind {
  return kind === "heads" && heads !== undefined && heads % m !== 0 ? "none" : kind;
}

/** Whether a layer of this kind under model degree m writes partial sums that an all-reduce adds up. */
export function writesPartialSums(kind: SplitKind, m: number): boolean {
  return m > 1 && (kind === "row" || kind === "heads" || kind === "vocab");
}

/** Whether `@model` can be honoured: the layer's own work shrinks with m. */
export function isSplittable(node: IRNode): boolean {
  return shardingOf(node.op).kind !== "replicated";
}
