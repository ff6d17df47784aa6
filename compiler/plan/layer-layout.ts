import type { Attrs, Graph } from "../ir/graph.js";
import { OPS, shardedWidth } from "../ops/index.js";
import type { ShardingRule } from "../ops/index.js";
import { REPLICATED, type WeightCut } from "../ops/op-spec.js";

/** The op table's sharding rule for `op` (an unknown op, such as `input`, is replicated). */
export function shardingOf(op: string): ShardingRule {
  return OPS.get(op)?.sharding ?? REPLICATED;
}

/**
 * The plan's `placement.split` (plan.schema.json, v2): the axis a layer with model degree > 1 is cut on —
 * its weights' output axis (`units`, `channels`), attention's `heads`, a row-parallel dense's
 * `input_features`, the channel block a channelwise layer works on (`channels`), or `none` for a layer every
 * device of the group runs whole.
 */
export type SplitAxis = "none" | "units" | "channels" | "heads" | "vocabulary" | "input_features";

/** What a layer's placement needs to say how it runs: its op, its attrs, its degrees and (from a plan) its split. */
export interface LayoutInput {
  readonly op: string;
  /** Attention's head count decides whether m may split it; absent, `heads` layers are taken to divide. */
  readonly attrs?: Attrs;
  readonly placement: {
    readonly dataDegree: number;
    readonly modelDegree: number;
    /** The plan's `placement.split`: `input_features` makes a `column` layer with `rows` row-parallel. */
    readonly split?: SplitAxis;
  };
}

/**
 * How a layer with model degree m > 1 runs (see `ShardingRule`):
 * - `column`: whole input → a block of its output channels;
 * - `row`: a channel block of its input → partial sums of the whole output (one all-reduce);
 * - `heads`: whole input → partial sums from this device's heads (one all-reduce);
 * - `vocabulary`: whole token ids → partial sums from this device's block of the table (one all-reduce);
 * - `channelwise`: a channel block → the same block;
 * - `replicated`: whole → whole on every device of the group (also every layer with m = 1).
 */
export type SplitMode = "column" | "row" | "heads" | "vocabulary" | "channelwise" | "replicated";

/**
 * How one placed layer lies on its devices: the op table's sharding rule applied to the layer's data degree d
 * and model degree m. The tfjs runtime (`runtime/plan-exec/stage-layout.ts`) and the torch emitter
 * (`compiler/emit/torch/model-parallel.ts`) both read it, so the program a user is given splits exactly the
 * layers the runtime splits, along the same axis, ended by the same collective.
 */
export interface LayerLayout {
  readonly mode: SplitMode;
  /** Column-parallel: the attr whose width the m weight shards divide (dense `units`, conv2d `filters`). */
  readonly cut: string | undefined;
  /** Runs on a channel block of its inputs (and of its per-channel weights): rule `channelwise`, m > 1. */
  readonly channelwise: boolean;
  /** Whatever weights the layer has are this device's shard (`weightCut` says how each is cut). */
  readonly sharded: boolean;
  /** Its output is this device's partial sum of the whole (`row`, `heads`): all-reduced where needed. */
  readonly partial: boolean;
  /** Computed on this device's rows only (d > 1), then gathered where whole rows are needed. */
  readonly rowSliced: boolean;
}

function modeOf(layer: LayoutInput): SplitMode {
  const { modelDegree: m, dataDegree: d, split } = layer.placement;
  if (m <= 1) return "replicated";
  const rule = shardingOf(layer.op);
  switch (rule.kind) {
    case "column":
      return split === "input_features" && rule.rows !== undefined ? "row" : "column";
    // A plan that says `none` (one written before these layouts existed) runs the layer whole, as planned.
    case "heads": {
      const heads = shardedWidth(layer);
      if (split === "none") return "replicated";
      return heads === undefined || heads % m === 0 ? "heads" : "replicated";
    }
    case "vocabulary":
      return split === "none" ? "replicated" : "vocabulary";
    case "channelwise":
      // Replicated where the plan says so (no input arrives as a channel block: see `graphSplits`). Channel
      // blocks only where every device's block is distinct: batchnorm over d > 1 data groups would hold one
      // block twice, and summing input gradients over the stage would count it twice.
      if (split === "none") return "replicated";
      return d === 1 || OPS.get(layer.op)?.wholeBatch !== true ? "channelwise" : "replicated";
    case "replicated":
      return "replicated";
  }
}

export function layerLayout(layer: LayoutInput): LayerLayout {
  const { dataDegree: d, modelDegree: m } = layer.placement;
  const mode = modeOf(layer);
  const rule = shardingOf(layer.op);
  // Batch statistics (batchnorm) need every row: with d > 1 data groups, it runs on the whole micro-batch.
  const wholeBatch = layer.op === "input" || OPS.get(layer.op)?.wholeBatch === true;
  const cut = mode === "column" && rule.kind === "column" ? rule.attr : undefined;
  const sharded = mode !== "replicated";
  // A layer with m > 1 that is not cut runs replicated on every one of the d·m devices: slicing its rows
  // over d of them would count them m times in the input gradient.
  const rowSliced = d > 1 && !wholeBatch && (sharded || m === 1);
  return {
    mode,
    cut,
    channelwise: mode === "channelwise",
    sharded,
    partial: mode === "row" || mode === "heads" || mode === "vocabulary",
    rowSliced,
  };
}

export function splitAxis(layer: LayoutInput): SplitAxis {
  const rule = shardingOf(layer.op);
  switch (layerLayout(layer).mode) {
    case "column":
      return rule.kind === "column" ? rule.axis : "none";
    case "row":
      return "input_features";
    case "heads":
      return "heads";
    case "vocabulary":
      return "vocabulary";
    case "channelwise":
      return "channels";
    case "replicated":
      return "none";
  }
}

/**
 * How a sharded layer cuts the weight named `weightName` (tfjs's or Keras's, `dense_1/kernel`): along an axis
 * (−1: the last), or `first` (held by model rank 0 alone); undefined for a layer that is not sharded.
 */
export function weightCut(layer: LayoutInput, weightName: string): WeightCut | undefined {
  const mode = layerLayout(layer).mode;
  if (mode === "replicated") return undefined;
  if (mode === "column" || mode === "channelwise") return -1;
  const rule = shardingOf(layer.op);
  const cuts =
    rule.kind === "column"
      ? rule.rows
      : rule.kind === "heads" || rule.kind === "vocabulary"
        ? rule.cuts
        : undefined;
  const base = weightName.replace(/_\d+$/, "");
  for (const [suffix, cut] of Object.entries(cuts ?? {}))
    if (base === suffix || base.endsWith(`/${suffix}`)) return cut;
  throw new Error(`no ${mode} cut for weight '${weightName}' of a ${layer.op} layer`);
}

const splitsCache = new WeakMap<Graph, ReadonlyMap<number, "input_features" | "none">>();

/**
 * Where a layer's place in the graph decides its layout under model degree m > 1 (Megatron-LM's transformer
 * layer), by node: `input_features` for a layer with a `rows` form (dense) whose input arrives as a channel
 * block — from a column-parallel layer, directly or through channelwise ones — which then runs row-parallel,
 * so a dense(4h) → gelu → dense(h) pair keeps the activation cut between the two and ends with one all-reduce;
 * `none` for a channelwise layer none of whose inputs arrives as a block (dropout and the residual add after
 * attention or a row-parallel dense, whose partial sums are added up whole anyway), which then runs replicated
 * inside its model group instead of cutting a block that the next layernorm would gather again. The rule reads
 * the graph only, never the configurations, so the cost model prices each layer the same way whatever its
 * neighbours' placement (where the producer is not split, the input is sliced, still correct).
 */
export function graphSplits(graph: Graph): ReadonlyMap<number, "input_features" | "none"> {
  const hit = splitsCache.get(graph);
  if (hit) return hit;
  const splits = new Map<number, "input_features" | "none">();
  // Layers whose output is a channel block under m > 1.
  const blocks = new Set<number>();
  for (const node of graph.nodes) {
    const rule = shardingOf(node.op);
    const blockInput = node.inputs.some((u) => blocks.has(u));
    if (rule.kind === "column") {
      if (rule.rows !== undefined && node.inputs.length === 1 && blockInput)
        splits.set(node.id, "input_features");
      else blocks.add(node.id);
    } else if (rule.kind === "channelwise") {
      if (blockInput) blocks.add(node.id);
      else splits.set(node.id, "none");
    }
  }
  splitsCache.set(graph, splits);
  return splits;
}

/** A graph node under degrees (d, m), as `layerLayout` reads it, with the split its place decides. */
export function nodeLayoutInput(
  graph: Graph,
  v: number,
  config: { readonly d: number; readonly m: number },
): LayoutInput {
  const node = graph.nodes[v]!;
  const split = graphSplits(graph).get(v);
  return {
    op: node.op,
    attrs: node.attrs,
    placement: {
      dataDegree: config.d,
      modelDegree: config.m,
      ...(split !== undefined ? { split } : {}),
    },
  };
}
