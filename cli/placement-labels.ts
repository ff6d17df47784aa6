import type { Graph } from "../compiler/ir/graph.js";
import type { Plan } from "../compiler/plan/index.js";

/** The summary's placement column: `data×2`, `model×4`, `d2×m4`, with ` @stage N` when pipelined. */
export function placementLabels(graph: Graph, plan: Plan): Map<number, string> {
  const byName = new Map(plan.layers.map((layer) => [layer.name, layer.placement]));
  const labels = new Map<number, string>();
  for (const node of graph.nodes) {
    const p = byName.get(node.name);
    if (!p) continue;
    const config =
      p.modelDegree === 1
        ? `data×${p.dataDegree}`
        : p.dataDegree === 1
          ? `model×${p.modelDegree}`
          : `d${p.dataDegree}×m${p.modelDegree}`;
    labels.set(
      node.id,
      p.stage > 0 || plan.layers.some((l) => l.placement.stage > 0) ? `${config} stage ${p.stage}` : config,
    );
  }
  return labels;
}
