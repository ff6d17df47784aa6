import type { Graph, IRNode } from "../ir/graph.js";
import { OPS } from "../ops/index.js";
import { withCommas } from "../diagnostics/with-commas.js";

const HEADERS = ["Layer (type)", "Output Shape", "Param #", "Placement"] as const;
/** Param # is right-aligned, like Keras's. */
const RIGHT = [false, false, true, false] as const;

/**
 * A Keras 3 style `model.summary()`: one row per layer with its output shape (batch axis as `None`), its
 * parameter count, and the placement the plan chose (`-` when none is given), then Keras's three totals lines.
 * Shapes and counts must already be inferred.
 */
export function emitSummary(graph: Graph, placements?: ReadonlyMap<number, string>): string {
  const rows = graph.nodes.map((node) => [
    `${node.name} (${kerasClass(node)})`,
    node.outputShape ? `(${["None", ...node.outputShape.map(String)].join(", ")})` : "?",
    withCommas(total(node)),
    placements?.get(node.id) ?? "-",
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
  const line = (left: string, fill: string, mid: string, right: string) =>
    left + widths.map((w) => fill.repeat(w)).join(mid) + right;
  const cells = (values: readonly string[], edge: string) =>
    edge +
    values
      .map((v, i) => {
        const inner = widths[i]! - 2;
        return ` ${RIGHT[i] ? v.padStart(inner) : v.padEnd(inner)} `;
      })
      .join(edge) +
    edge;

  const out = [
    `Model: "${graph.model}"`,
    line("┏", "━", "┳", "┓"),
    cells(HEADERS, "┃"),
    line("┡", "━", "╇", "┩"),
  ];
  // Keras 3 rules a line between rows; we leave it out so deep models (ResNet50: 177 layers) stay half as long
  // and a screenful shows twice the layers.
  for (const row of rows) out.push(cells(row, "│"));
  out.push(line("└", "─", "┴", "┘"));
  const trainable = graph.nodes.reduce((s, n) => s + (n.params?.trainable ?? 0), 0);
  const nonTrainable = graph.nodes.reduce((s, n) => s + (n.params?.nonTrainable ?? 0), 0);
  out.push(` Total params: ${countLine(trainable + nonTrainable)}`);
  out.push(` Trainable params: ${countLine(trainable)}`);
  out.push(` Non-trainable params: ${countLine(nonTrainable)}`);
  return `${out.join("\n")}\n`;
}

function kerasClass(node: IRNode): string {
  return node.op === "input" ? "InputLayer" : (OPS.get(node.op)?.keras ?? node.op);
}

function total(node: IRNode): number {
  return (node.params?.trainable ?? 0) + (node.params?.nonTrainable ?? 0);
}

/** `693,962 (2.65 MB)`: float32 weights, sizes in 1024-byte units, as Keras 3 prints them. */
function countLine(params: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let size = params * 4;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${withCommas(params)} (${size.toFixed(2)} ${units[unit]})`;
}
