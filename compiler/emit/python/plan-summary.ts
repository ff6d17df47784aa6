import type { Graph } from "../../ir/graph.js";
import type { TrainingConfig } from "../../ir/config.js";
import { type SplitMode, layerLayout } from "../../plan/layer-layout.js";
import { scoresOnShards } from "../../plan/sharded-loss.js";
import type { PlanView } from "./emit-input.js";

/**
 * How the program splits one layer over a model-parallel group: the plan's degree and layout; `column_loss`
 * is a column-parallel output whose loss is computed on its class blocks (compiler/plan/sharded-loss.ts).
 */
export interface ModelSplit {
  readonly degree: number;
  readonly mode: Exclude<SplitMode, "channelwise" | "replicated"> | "column_loss";
}

/**
 * The plan's split per layer name, for the layers whose weights it cuts (column, row or by heads: the runtime's
 * rule, compiler/plan/layer-layout.ts, and its sharded loss under `training`'s loss and metrics); the
 * programs run the others replicated.
 */
export function modelSplits(
  graph: Graph,
  plan: PlanView,
  training: Pick<TrainingConfig, "loss" | "metrics">,
): Map<string, ModelSplit> {
  const nodes = new Map(graph.nodes.map((n) => [n.name, n]));
  const output = graph.nodes[graph.outputs[0]!]?.name;
  const out = new Map<string, ModelSplit>();
  for (const layer of plan.layers) {
    const node = nodes.get(layer.name);
    if (node === undefined) continue;
    const input = { op: node.op, attrs: node.attrs, placement: layer.placement };
    const { mode } = layerLayout(input);
    const degree = layer.placement.modelDegree;
    const scored =
      layer.name === output &&
      scoresOnShards({ ...input, outputShape: node.outputShape ?? [] }, training.loss, training.metrics);
    if (scored) out.set(layer.name, { degree, mode: "column_loss" });
    else if (mode === "column" || mode === "row" || mode === "heads" || mode === "vocabulary")
      out.set(layer.name, { degree, mode });
  }
  return out;
}

/**
 * Whether replicas must shard parameters, gradients and optimizer state (FSDP / ZeRO-3) to fit: the plan says
 * so, or a full replica's weights, gradients and two Adam moments (16 bytes a parameter) overflow a device.
 */
export function needsParameterSharding(graph: Graph, plan: PlanView): boolean {
  if (plan.shardParameters !== undefined) return plan.shardParameters;
  const memory = plan.devices.memoryBytes;
  if (memory === undefined) return false;
  const params = graph.nodes.reduce((sum, n) => sum + (n.params?.trainable ?? 0), 0);
  return params * 16 > memory;
}

/** Comment lines saying how the program runs the plan, including what it runs differently. The torch emitter
 * adds a line per model-parallel layer. */
export function planLines(graph: Graph, plan: PlanView, target: "torch" | "keras"): string[] {
  const lines = [`Plan: ${plan.devices.count} device${plan.devices.count === 1 ? "" : "s"}.`];
  if (target === "keras") {
    lines.push(
      "Keras runs every layer data-parallel (MirroredStrategy), whatever the plan's per-layer choices.",
    );
    if (plan.schedule?.optimizerSharding === "zero-1")
      lines.push("Keras has no ZeRO-1: every replica holds the whole optimizer state the plan shards.");
  } else if (needsParameterSharding(graph, plan)) {
    lines.push("Replicated layers: FullyShardedDataParallel (the plan shards parameters to fit memory).");
  } else {
    lines.push("Replicated layers: data-parallel under DistributedDataParallel.");
    if (plan.schedule?.optimizerSharding === "zero-1")
      lines.push(
        "Optimizer: ZeRO-1 (ZeroRedundancyOptimizer), each rank holding 1/N of its state, as the plan says.",
      );
  }
  const stages = new Set(plan.layers.map((l) => l.placement.stage));
  if (stages.size > 1) {
    lines.push(`The plan's ${stages.size} pipeline stages run as one stage here (no micro-batching).`);
  }
  return lines;
}
