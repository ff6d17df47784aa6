import type { CostTable } from "../cost/estimate-cost.js";
import type { Graph } from "../ir/graph.js";
import type { HintConstraints } from "./hints.js";

/** Per layer, the configurations (indices into `table.configs`) its hints allow and its memory fits. */
export function allowedConfigs(graph: Graph, table: CostTable, hints: HintConstraints): number[][] {
  const cap = table.profile.memoryBytes;
  return graph.nodes.map((_, v) => {
    const ks: number[] = [];
    const allows = hints.allows[v]!;
    const row = table.layer[v]!;
    table.configs.forEach((config, k) => {
      if (allows(config) && row[k]!.memory <= cap) ks.push(k);
    });
    return ks;
  });
}
