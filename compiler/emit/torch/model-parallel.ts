import { consumers } from "../../ir/graph.js";
import type { Graph } from "../../ir/graph.js";
import { pyString } from "../python/literals.js";

/**
 * Megatron's pairing of two model-parallel dense layers: the first keeps its outputs split (`keep_split`), the
 * second takes them split by input feature (`split_input`), so no gather runs between them.
 */
export type Pairing = "keep_split" | "split_input";

/** Activations that act on each output alone, so a layer's split outputs can be activated where they are. */
const ELEMENTWISE = new Set(["linear", "relu", "relu6", "sigmoid", "tanh", "gelu"]);

/**
 * Pairs of model-parallel dense layers where the first feeds only the second, with the same degree and an
 * elementwise activation: the first keeps its outputs split and the second is row-parallel (Megatron-LM).
 */
export function megatronPairs(graph: Graph, degrees: ReadonlyMap<string, number>): Map<number, Pairing> {
  const users = consumers(graph);
  const pairs = new Map<number, Pairing>();
  for (const first of graph.nodes) {
    const degree = degrees.get(first.name) ?? 1;
    const next = users[first.id]?.length === 1 ? graph.nodes[users[first.id]![0]!] : undefined;
    if (degree === 1 || first.op !== "dense" || pairs.has(first.id) || !next || next.op !== "dense") continue;
    if (graph.outputs.includes(first.id) || degrees.get(next.name) !== degree) continue;
    if (!ELEMENTWISE.has(String(first.attrs.activation ?? "linear"))) continue;
    pairs.set(first.id, "keep_split");
    pairs.set(next.id, "split_input");
  }
  return pairs;
}

const ROLES: Readonly<Record<Pairing | "gather", string>> = {
  gather: "column-parallel: outputs split, then gathered",
  keep_split: "column-parallel: outputs kept split for the next layer",
  split_input: "row-parallel: input features split, partial sums all-reduced",
};

/** Header lines: each model-parallel layer, its degree and how it is split. */
export function modelParallelLines(graph: Graph, degrees: ReadonlyMap<string, number>): string[] {
  const pairs = megatronPairs(graph, degrees);
  return graph.nodes
    .filter((n) => degrees.has(n.name))
    .map(
      (n) =>
        `${n.name}: model-parallel over ${degrees.get(n.name)} ranks (${ROLES[pairs.get(n.id) ?? "gather"]}).`,
    );
}

/**
 * The program's `MODEL_PARALLEL` table (module attribute: (model degree, pairing)), which `split_model_parallel`
 * applies after the model is built whole and, with `--init-from`, loaded: shards are always cut from full layers.
 */
export function modelParallelTable(
  graph: Graph,
  degrees: ReadonlyMap<string, number>,
  ids: ReadonlyMap<number, string>,
): string {
  const pairs = megatronPairs(graph, degrees);
  const rows = graph.nodes
    .filter((n) => degrees.has(n.name))
    .map((n) => {
      const pairing = pairs.get(n.id);
      return `    ${pyString(ids.get(n.id)!)}: (${degrees.get(n.name)}, ${pairing ? pyString(pairing) : "None"}),`;
    });
  return [
    "# The plan's model-parallel layers: attribute -> (model degree, Megatron pairing).",
    rows.length > 0 ? `MODEL_PARALLEL = {\n${rows.join("\n")}\n}` : "MODEL_PARALLEL = {}",
  ].join("\n");
}

/** `KERAS_NAMES`: module attributes whose layer name (the checkpoint's weight prefix) differs from them. */
export function kerasNamesTable(graph: Graph, ids: ReadonlyMap<number, string>): string {
  const rows = graph.nodes
    .filter((n) => n.op !== "input" && ids.get(n.id) !== n.name)
    .map((n) => `    ${pyString(ids.get(n.id)!)}: ${pyString(n.name)},`);
  return [
    "# Layer names as in the .model file (and in mgpuc checkpoints), where the attribute had to differ.",
    rows.length > 0 ? `KERAS_NAMES = {\n${rows.join("\n")}\n}` : "KERAS_NAMES = {}",
  ].join("\n");
}
