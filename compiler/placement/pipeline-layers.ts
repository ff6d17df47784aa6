import { layoutPhrase } from "./layout-phrase.js";
import type { Graph } from "../ir/graph.js";
import type { CostTable } from "../cost/estimate-cost.js";
import { formatMs } from "./format.js";
import type { PipelinePlan } from "./pipeline-plans.js";
import type { PlacedLayer, Placement } from "./placement-types.js";

/** The best plan without stages, for pipelined layers' runner-up. */
export interface Alternative {
  readonly table: CostTable;
  readonly assignment: readonly number[];
  readonly stepTime: number;
}

/** Per-layer predictions of a pipelined plan: whole-step compute (all micro-batches) and communication. */
export function pipelineLayers(
  graph: Graph,
  devices: number,
  plan: PipelinePlan,
  alternative: Alternative | undefined,
): Pick<Placement, "layers" | "stepTime" | "memoryPerDevice" | "stages" | "stageDevices" | "microbatches"> {
  const { partition, stages: K, groupSize: g, microbatches: M } = plan;
  const bubble = (K - 1) / (M + K - 1);
  const layers: PlacedLayer[] = [];
  for (let s = 0; s < K; s++) {
    const start = partition.bounds[s]!;
    const end = partition.bounds[s + 1]!;
    const stageDevices = Array.from({ length: g }, (_, i) => s * g + i);
    const table = s === K - 1 ? plan.lastTable : plan.table;
    for (let v = start; v < end; v++) {
      const k = plan.assignment[v]!;
      const c = table.layer[v]![k]!;
      const sends = v === end - 1 && s < K - 1 ? M * plan.cut[end]! : 0;
      const alt = alternative ? alternative.table.configs[alternative.assignment[v]!]! : undefined;
      const extra = alternative ? alternative.stepTime - partition.stepTime : 0;
      layers.push({
        config: table.configs[k]!,
        stage: s,
        devices: stageDevices,
        compute: M * c.compute + c.update,
        comm: M * (c.comm + plan.redistribution[v]!) + c.gradAllReduce + sends,
        memory: c.memory,
        ...(alt ? { runnerUp: { config: alt, stage: 0, extra } } : {}),
        reason:
          (table.configs[k]!.m > 1 ? `${layoutPhrase(graph, v, table.configs[k]!)}; ` : "") +
          `stage ${s} of ${K}: ${formatMs(partition.stageTimes[s]! * 1000)} per micro-batch (slowest stage ` +
          `${formatMs(partition.bottleneck * 1000)}), ${M} micro-batches, bubble ${(bubble * 100).toFixed(0)}%` +
          (alternative
            ? `; the best plan without stages takes ${formatMs(alternative.stepTime * 1000)}`
            : ""),
      });
    }
  }
  const memoryPerDevice = new Array<number>(devices).fill(0);
  partition.stageMemory.forEach((mem, s) => {
    for (let i = 0; i < g; i++) memoryPerDevice[s * g + i] = mem;
  });
  return {
    layers,
    stepTime: partition.stepTime,
    memoryPerDevice,
    stages: K,
    stageDevices: g,
    microbatches: M,
  };
}
