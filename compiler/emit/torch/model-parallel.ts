import type { Graph } from "../../ir/graph.js";
import { tfjsLayerName } from "../../ir/tfjs-layer-names.js";
import { shardingOf } from "../../plan/layer-layout.js";
import { pyString } from "../python/literals.js";

/** Header lines: each model-parallel layer, its degree and how it is split (as the runtime splits it). */
export function modelParallelLines(graph: Graph, degrees: ReadonlyMap<string, number>): string[] {
  return graph.nodes
    .filter((n) => degrees.has(n.name))
    .map((n) => {
      const rule = shardingOf(n.op);
      const cut = rule.kind === "column" ? rule.attr : "weights";
      return `${n.name}: model-parallel over ${degrees.get(n.name)} ranks (column-parallel: ${cut} split, outputs all-gathered).`;
    });
}

/**
 * The program's `MODEL_PARALLEL` table (module attribute: model degree), which `split_model_parallel` applies
 * after the model is built whole and, with `--init-from`, loaded: shards are always cut from full layers. It
 * holds exactly the layers the plan cuts column-parallel (`modelDegrees`, from compiler/plan/layer-layout.ts,
 * the rule the tfjs runtime follows), each ended by an all-gather of its output channels as in the runtime.
 */
export function modelParallelTable(
  graph: Graph,
  degrees: ReadonlyMap<string, number>,
  ids: ReadonlyMap<number, string>,
): string {
  const rows = graph.nodes
    .filter((n) => degrees.has(n.name))
    .map((n) => `    ${pyString(ids.get(n.id)!)}: ${degrees.get(n.name)},`);
  return [
    "# The plan's column-parallel layers: attribute -> model degree.",
    rows.length > 0 ? `MODEL_PARALLEL = {\n${rows.join("\n")}\n}` : "MODEL_PARALLEL = {}",
  ].join("\n");
}

/**
 * `KERAS_NAMES`: module attributes whose layer name in an mgpuc checkpoint (the weights' prefix, tfjs's layer
 * name: `decoder/attention` is `decoder__attention` there) differs from them.
 */
export function kerasNamesTable(graph: Graph, ids: ReadonlyMap<number, string>): string {
  const rows = graph.nodes
    .filter((n) => n.op !== "input" && ids.get(n.id) !== tfjsLayerName(n.name))
    .map((n) => `    ${pyString(ids.get(n.id)!)}: ${pyString(tfjsLayerName(n.name))},`);
  return [
    "# Layer names as in mgpuc checkpoints, where the attribute had to differ.",
    rows.length > 0 ? `KERAS_NAMES = {\n${rows.join("\n")}\n}` : "KERAS_NAMES = {}",
  ].join("\n");
}
