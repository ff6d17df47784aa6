import type { SourceFile } from "../../diagnostics/span.js";
import type { ExpandedModel, Hint, Section } from "../../ir/expanded.js";
import { formatArgs, formatValue } from "../../ir/values.js";

function formatHint(h: Hint): string {
  return h.value === undefined ? `@${h.kind}` : `@${h.kind}(${h.value})`;
}

/**
 * A readable, deterministic dump of expanded models, one layer a line, for golden tests and debugging:
 *
 *   #3 residual/conv2d = conv2d(16, kernel: 3, padding: same) <- #2  [5:3 via 12:13]
 */
export function dumpExpanded(models: readonly ExpandedModel[], source: SourceFile): string {
  const at = (offset: number) => {
    const p = source.position(offset);
    return `${p.line}:${p.column}`;
  };
  const lines: string[] = [];
  for (const m of models) {
    lines.push(
      `model ${m.name}  inputs [${m.inputs.map((i) => `#${i}`).join(", ")}]  outputs [${m.outputs.map((i) => `#${i}`).join(", ")}]`,
    );
    for (const l of m.layers) {
      const what = l.input
        ? `input ${l.input.dtype}[${l.input.shape.join(", ")}]`
        : `${l.op}(${formatArgs(l.args)})${l.inputs.length > 0 ? ` <- ${l.inputs.map((i) => `#${i}`).join(", ")}` : ""}`;
      const hints = l.hints.length > 0 ? ` ${l.hints.map(formatHint).join(" ")}` : "";
      const via = l.callSites.length > 0 ? ` via ${l.callSites.map((s) => at(s.start)).join(" < ")}` : "";
      lines.push(`  #${l.id} ${l.name} = ${what}${hints}  [${at(l.span.start)}${via}]`);
    }
    for (const [label, section] of [
      ["train", m.train],
      ["parallel", m.parallel],
    ] as const) {
      if (section) lines.push(...dumpSection(label, section));
    }
  }
  return `${lines.join("\n")}\n`;
}

function dumpSection(label: string, section: Section): string[] {
  return [`  ${label}`, ...section.entries.map((e) => `    ${e.key}: ${formatValue(e.value)}`)];
}
