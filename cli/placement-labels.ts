import { layerConfigLabel } from "../compiler/emit/explain.js";
import type { Graph } from "../compiler/ir/graph.js";
import type { Plan } from "../compiler/plan/index.js";

/** The summary's placement column: the same labels `explain` prints (`data×2`, `model×4`, `d2×m4 stage 1`). */
export function placementLabels(graph: Graph, plan: Plan): Map<number, string> {
  const byName = new Map(plan.layers.map((layer) => [layer.name, layer]));
  const pipelined = plan.layers.some((l) => l.placement.stage > 0);
  const labels = new Map<number, string>();
  for (const node of graph.nodes) {
    const layer = byName.get(node.name);
    if (layer) labels.set(node.id, layerConfigLabel(layer, pipelined));
  }
  return labels;
}
