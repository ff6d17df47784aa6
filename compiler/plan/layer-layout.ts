import { OPS } from "../ops/index.js";
import type { ShardingRule } from "../ops/index.js";
import { REPLICATED } from "../ops/op-spec.js";

/** The op table's sharding rule for `op` (an unknown op, such as `input`, is replicated). */
export function shardingOf(op: string): ShardingRule {
  return OPS.get(op)?.sharding ?? REPLICATED;
}

/** What a layer's placement needs to say how it runs: its op and its data and model degrees. */
export interface LayoutInput {
  readonly op: string;
  readonly placement: { readonly dataDegree: number; readonly modelDegree: number };
}

/**
 * How one placed layer lies on its devices: the op table's sharding rule applied to the layer's data degree d
 * and model degree m. The tfjs runtime (`runtime/plan-exec/stage-layout.ts`) and the torch emitter
 * (`compiler/emit/torch/model-parallel.ts`) both read it, so the program a user is given splits exactly the
 * layers the runtime splits, along the same axis, ended by the same collective.
 */
export interface LayerLayout {
  /**
   * Column-parallel (m > 1, rule `column`): the attr whose width the m weight shards divide (dense `units`,
   * conv2d `filters`). The layer reads its whole input, writes a block of its output channels, and the block
   * is all-gathered where a later layer needs the whole tensor; backward all-reduces the input gradient.
   */
  readonly cut: string | undefined;
  /** Runs on a channel block of its inputs (and of its per-channel weights): rule `channelwise`, m > 1. */
  readonly channelwise: boolean;
  /** `cut` or `channelwise`: whatever weights the layer has are this device's shard along their last axis. */
  readonly sharded: boolean;
  /** Computed on this device's rows only (d > 1), then gathered where whole rows are needed. */
  readonly rowSliced: boolean;
}

/**
 * The plan's `placement.split` (plan.schema.json, v2): the axis a layer with model degree > 1 is cut on —
 * its weights' output axis (`units`, `channels`), the channel block a channelwise layer works on
 * (`channels`), or `none` for a layer every device of the group runs whole.
 */
export type SplitAxis = "none" | "units" | "channels" | "heads" | "vocabulary" | "input_features";

export function splitAxis(layer: LayoutInput): SplitAxis {
  const rule = shardingOf(layer.op);
  const layout = layerLayout(layer);
  if (layout.cut !== undefined && rule.kind === "column") return rule.axis;
  return layout.channelwise ? "channels" : "none";
}

export function layerLayout(layer: LayoutInput): LayerLayout {
  const { dataDegree: d, modelDegree: m } = layer.placement;
  const rule = shardingOf(layer.op);
  // Batch statistics (batchnorm) need every row: with d > 1 data groups, it runs on the whole micro-batch.
  const wholeBatch = layer.op === "input" || OPS.get(layer.op)?.wholeBatch === true;
  const cut = m > 1 && rule.kind === "column" ? rule.attr : undefined;
  // Channel blocks only where every device's block is distinct: batchnorm over d > 1 data groups would hold
  // one block twice, and summing input gradients over the stage would count it twice.
  const channelwise = m > 1 && rule.kind === "channelwise" && (d === 1 || !wholeBatch);
  const sharded = cut !== undefined || channelwise;
  // A layer with m > 1 that is neither cut nor channelwise runs replicated on every one of the d·m devices:
  // slicing its rows over d of them would count them m times in the input gradient.
  const rowSliced = d > 1 && !wholeBatch && (sharded || m === 1);
  return { cut, channelwise, sharded, rowSliced };
}
