import type { DeviceProfile } from "../cost/profile.js";
import { edgeCoefficients } from "../cost/redistribution.js";
import type { Graph } from "../ir/graph.js";
import { estimateCost, type CostTable } from "../passes/estimate-cost.js";
import type { HintConstraints } from "./hints.js";
import { partitionStages, type Partition } from "./pipeline-partition.js";

/** A pipelined plan: K stages of g devices each, every layer data-parallel over its stage's g devices. */
export interface PipelinePlan {
  readonly stages: number;
  readonly groupSize: number;
  readonly microbatches: number;
  readonly partition: Partition;
  /** Costs per micro-batch (compute, comm) with memory for the whole batch in flight (GPipe keeps it all). */
  readonly table: CostTable;
  /** The same for the last stage, which runs forward and backward once (no recompute). */
  readonly lastTable: CostTable;
  /** Per cut position: forward + backward send/recv seconds per micro-batch. */
  readonly cut: readonly number[];
  readonly cutBytes: readonly number[];
}

export interface PipelineRequest {
  readonly stages: number;
  readonly groupSize: number;
  readonly microbatches: number;
}

/** The step time of the best contiguous partition into `stages` stages of `groupSize` devices each. */
export function planPipeline(
  graph: Graph,
  profile: DeviceProfile,
  batch: number,
  optimizerSlots: number,
  hints: HintConstraints,
  request: PipelineRequest,
): PipelinePlan | undefined {
  const { stages, groupSize: g, microbatches: M } = request;
  const n = graph.nodes.length;
  if (stages > n) return undefined;
  // Every stage but the last re-runs its forward in backward (runtime/plan-exec/stage-runner.ts).
  const table = estimateCost(graph, profile, g, batch / M, optimizerSlots, batch, true);
  const lastTable = estimateCost(graph, profile, g, batch / M, optimizerSlots, batch);
  const message = profile.messageLatencySeconds ?? 0;
  const k = 0; // enumerateConfigs(g)[0] is data×g
  const allowedHere = graph.nodes.map((_, v) => hints.allows[v]!(table.configs[k]!));
  if (allowedHere.some((a) => !a)) return undefined;
  const lastUse = graph.nodes.map((_, v) => v);
  graph.nodes.forEach((node, v) => node.inputs.forEach((u) => (lastUse[u] = Math.max(lastUse[u]!, v))));
  // A tensor crossing several cuts is forwarded across each of them.
  const cut = new Array<number>(n + 1).fill(0);
  const cutBytes = new Array<number>(n + 1).fill(0);
  const open: number[] = [];
  for (let i = 1; i < n; i++) {
    open.push(i - 1);
    let t = 0;
    let bytes = 0;
    for (let j = open.length - 1; j >= 0; j--) {
      const u = open[j]!;
      if (lastUse[u]! < i) {
        open.splice(j, 1);
        continue;
      }
      const co = edgeCoefficients(table.work[u]!.kind, table.configs[k]!, "none", table.configs[k]!, false);
      const size = table.work[u]!.outBytes * table.batch;
      // One message each way per tensor per micro-batch.
      t += (co.fraction * size) / profile.linkBandwidth + co.steps * profile.linkLatency + 2 * message;
      bytes += size;
    }
    cut[i] = t;
    cutBytes[i] = bytes;
  }
  const half = cut.map((t) => t / 2);
  const partition = partitionStages({
    time: table.layer.map((c) => c[k]!.compute + c[k]!.comm),
    lastTime: lastTable.layer.map((c) => c[k]!.compute + c[k]!.comm),
    memory: table.layer.map((c) => c[k]!.memory),
    gradAllReduce: table.layer.map((c) => c[k]!.gradAllReduce + c[k]!.update),
    cutForward: half,
    cutBackward: half,
    stageHint: hints.stage,
    stages,
    microbatches: M,
    memoryCapacity: profile.memoryBytes,
  });
  if (!partition) return undefined;
  const withStep = { ...partition, stepTime: partition.stepTime + (profile.stepOverheadSeconds ?? 0) };
  return { stages, groupSize: g, microbatches: M, partition: withStep, table, lastTable, cut, cutBytes };
}

/** Stage counts worth trying on n devices: every divisor (stages of n/K devices) and n itself. */
export function stageCounts(devices: number, layers: number, minStages: number): number[] {
  const out: number[] = [];
  for (let K = Math.max(2, minStages); K <= Math.min(devices, layers); K++) {
    if (devices % K === 0 || K === Math.min(devices, layers)) out.push(K);
  }
  return out;
}
