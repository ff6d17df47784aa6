import type { CompileResult } from "../compiler/pipeline.js";
import type { Graph } from "../compiler/ir/graph.js";
import { dumpExpanded } from "../compiler/passes/expand/index.js";
import type { CostTable } from "../compiler/cost/estimate-cost.js";
import { configLabel } from "../compiler/cost/layer-config.js";
import type { Placement } from "../compiler/placement/placement-types.js";

const ms = (seconds: number) => `${(seconds * 1e3).toFixed(3)}ms`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)}MiB`;

/**
 * `--dump-after PASS`: what that pass produced: the expanded models, the IR graph, the cost table
 * (`estimate-cost`), the placement (`place-layers`) or the plan (`schedule`).
 */
export function dumpStage(result: CompileResult): string {
  if (result.plan) return `${JSON.stringify(result.plan, null, 2)}\n`;
  if (result.placement && result.graph) return dumpPlacement(result.graph, result.placement);
  if (result.costs && result.graph) return dumpCosts(result.graph, result.costs);
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

/**
 * The cost table: per layer, each configuration on its devices (`d×m`) with its compute, update, in-layer
 * communication, gradient all-reduce (seconds per step) and memory per device.
 */
export function dumpCosts(graph: Graph, costs: CostTable): string {
  const lines = [
    `costs ${graph.model}: ${costs.devices} device(s) of ${costs.profile.name}, global batch ${costs.batch}`,
  ];
  for (const node of graph.nodes) {
    lines.push(`  %${node.id} ${node.name} (${node.op})`);
    costs.layer[node.id]!.forEach((c, k) => {
      const terms = [
        `compute=${ms(c.compute)}`,
        `update=${ms(c.update)}`,
        `comm=${ms(c.comm)}`,
        `allreduce=${ms(c.gradAllReduce)}`,
        `memory=${mb(c.memory)}`,
      ];
      lines.push(`    ${configLabel(costs.configs[k]!).padEnd(8)} ${terms.join(" ")}`);
    });
  }
  return `${lines.join("\n")}\n`;
}

/** The placement: the strategy's step time and baselines, then each layer's configuration, stage and devices. */
export function dumpPlacement(graph: Graph, placement: Placement): string {
  const { baselines } = placement;
  const base = (["data", "model", "pipeline"] as const)
    .map((k) => `${k}=${baselines[k] === null ? "n/a" : ms(baselines[k]!)}`)
    .join(" ");
  const lines = [
    `placement ${graph.model}: ${placement.strategy} on ${placement.devices} device(s), ${placement.stages} stage(s), ` +
      `${placement.microbatches} micro-batch(es), step ${ms(placement.stepTime)} (baselines ${base})`,
  ];
  placement.layers.forEach((l, v) => {
    const node = graph.nodes[v]!;
    lines.push(
      `  %${v} ${node.name} ${configLabel(l.config)} stage ${l.stage} devices [${l.devices.join(", ")}] ` +
        `compute=${ms(l.compute)} comm=${ms(l.comm)} memory=${mb(l.memory)}`,
    );
  });
  return `${lines.join("\n")}\n`;
}
