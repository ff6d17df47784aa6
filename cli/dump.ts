import type { CompileResult } from "../compiler/pipeline.js";
import type { Graph } from "../compiler/ir/graph.js";
import { dumpExpanded } from "../compiler/passes/expand/index.js";

/** `--dump-after PASS`: the IR (or the plan, for placement's passes) as it stands after that pass. */
export function dumpStage(result: CompileResult): string {
  if (result.plan) return `${JSON.stringify(result.plan, null, 2)}\n`;
  if (result.graph) return dumpGraph(result.graph);
  if (result.models) return dumpExpanded(result.models, result.source);
  return `(nothing after ${result.reached})\n`;
}

/** One line per node: `%3 dense_1 = dense(%2) {units: 10, ...} : [10] params=1290 flops=2560`. */
export function dumpGraph(graph: Graph): string {
  const lines = [`graph ${graph.model} (inputs ${graph.inputs.map((i) => `%${i}`).join(", ")})`];
  for (const node of graph.nodes) {
    const attrs = Object.entries(node.attrs)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(", ");
    const facts = [
      node.outputShape ? `: [${node.outputShape.join(", ")}]` : "",
      node.params ? `params=${node.params.trainable}+${node.params.nonTrainable}` : "",
      node.flops !== undefined ? `flops=${node.flops}` : "",
      node.hints.length > 0
        ? node.hints.map((h) => `@${h.kind}${h.value !== undefined ? `(${h.value})` : ""}`).join(" ")
        : "",
    ].filter(Boolean);
    lines.push(
      `  %${node.id} ${node.name} = ${node.op}(${node.inputs.map((i) => `%${i}`).join(", ")}) {${attrs}} ${facts.join(" ")}`.trimEnd(),
    );
  }
  lines.push(`  output ${graph.outputs.map((i) => `%${i}`).join(", ")}`);
  return `${lines.join("\n")}\n`;
}
