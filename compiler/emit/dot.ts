import type { Plan } from "../plan/plan-types.js";
import { layerConfigLabel } from "./explain.js";

/** Fill colours by placement kind (ColorBrewer Paired, readable in print and for colour-blind readers). */
export const KIND_COLOURS = { data: "#a6cee3", model: "#fdbf6f", hybrid: "#b2df8a" } as const;

const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** The placed graph for Graphviz: nodes coloured by placement kind, one cluster per pipeline stage. */
export function emitDot(plan: Plan): string {
  const pipelined = plan.layers.some((l) => l.placement.stage > 0);
  const ids = new Map(plan.layers.map((l, i) => [l.name, `n${i}`]));
  const lines = [
    `digraph ${quote(plan.model)} {`,
    "  rankdir=TB;",
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
    `  label=${quote(`${plan.model}: ${plan.devices.count} × ${plan.devices.profile}, strategy ${plan.strategy}, step ${plan.predicted.stepTimeMs} ms`)};`,
    "  labelloc=t;",
  ];
  const stages = [...new Set(plan.layers.map((l) => l.placement.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    const members = plan.layers.filter((l) => l.placement.stage === stage);
    const devices = members[0]?.placement.devices ?? [];
    const range =
      devices.length > 1
        ? `devices ${devices[0]}–${devices[devices.length - 1]}`
        : `device ${devices[0] ?? 0}`;
    lines.push(`  subgraph cluster_stage${stage} {`);
    lines.push(`    label=${quote(`stage ${stage} (${range})`)};`);
    lines.push("    style=dashed;");
    for (const l of members) {
      const label = `${l.name}\\n${l.op} ${l.outputShape.join("×")}\\n${layerConfigLabel(l, pipelined)}`;
      lines.push(
        `    ${ids.get(l.name)} [label="${label.replace(/"/g, '\\"')}", fillcolor="${KIND_COLOURS[l.placement.kind]}"];`,
      );
    }
    lines.push("  }");
  }
  for (const l of plan.layers)
    for (const input of l.inputs) lines.push(`  ${ids.get(input)} -> ${ids.get(l.name)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
