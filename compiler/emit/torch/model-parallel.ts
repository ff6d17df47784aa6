import type { Graph } from "../../ir/graph.js";
import { shardingOf } from "../../plan/layer-layout.js";
import type { ModelSplit } from "../python/plan-summary.js";
import { pyString } from "../python/literals.js";

/** Header lines: each model-parallel layer, its degree and how it is split (as the runtime splits it). */
export function modelParallelLines(graph: Graph, splits: ReadonlyMap<string, ModelSplit>): string[] {
  return graph.nodes.flatMap((n) => {
    const s = splits.get(n.name);
    if (s === undefined) return [];
    const rule = shardingOf(n.op);
    const cut = rule.kind === "column" ? rule.attr : "weights";
    const how =
      s.mode === "column"
        ? `column-parallel: ${cut} split, outputs all-gathered`
        : s.mode === "column_loss"
          ? `column-parallel: ${cut} split, the loss computed on the shards, logits never gathered`
          : s.mode === "row"
            ? "row-parallel: input features split, partial sums all-reduced"
            : s.mode === "heads"
              ? "split by heads: output projection row-parallel, partial sums all-reduced"
              : "vocabulary-parallel: rows of the table split, partial sums all-reduced";
    return [`${n.name}: model-parallel over ${s.degree} ranks (${how}).`];
  });
}

/**
 * The program's `MODEL_PARALLEL` table (module attribute: (model degree, layout)), which `split_model_parallel`
 * applies after the model is built whole and, with `--init-from`, loaded: shards are always cut from full
 * layers. It holds exactly the layers the plan cuts (`modelSplits`, from compiler/plan/layer-layout.ts, the
 * rule the tfjs runtime follows), each cut the same way: column (outputs all-gathered), column_loss (an output
 * scored on its class blocks), row (after a column layer: input features, partial sums all-reduced), heads
 * (attention) or vocabulary (an embedding's rows).
 */
export function modelParallelTable(
  graph: Graph,
  splits: ReadonlyMap<string, ModelSplit>,
  ids: ReadonlyMap<number, string>,
): string {
  const rows = graph.nodes.flatMap((n) => {
    const s = splits.get(n.name);
    return s === undefined ? [] : [`    ${pyString(ids.get(n.id)!)}: (${s.degree}, ${pyString(s.mode)}),`];
  });
  return [
    "# The plan's model-parallel layers: attribute -> (model degree, layout).",
    rows.length > 0 ? `MODEL_PARALLEL = {\n${rows.join("\n")}\n}` : "MODEL_PARALLEL = {}",
  ].join("\n");
}
