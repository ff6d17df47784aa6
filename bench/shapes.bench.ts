/**
 * ResNet50 (examples/resnet50.model) through the front half of the compiler: parse → expand-blocks → lower →
 * infer-shapes, after a warm-up. The goal (issue 3) is under 50 ms for the whole front half.
 * Prints a table and writes bench/results/shapes.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DiagnosticBag } from "../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../compiler/diagnostics/span.js";
import type { ExpandedModel } from "../compiler/ir/expanded.js";
import type { Graph } from "../compiler/ir/graph.js";
import { expandBlocks } from "../compiler/passes/expand-blocks.js";
import { inferShapes } from "../compiler/passes/infer-shapes.js";
import { lower } from "../compiler/passes/lower.js";
import { parse } from "../grammar/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const path = join(here, "..", "examples", "resnet50.model");
const source = new SourceFile(path, readFileSync(path, "utf8"));
const ctx = () => ({ diagnostics: new DiagnosticBag(), source });

function frontHalf(): { model: ExpandedModel; graph: Graph; times: number[] } {
  const c = ctx();
  const t0 = performance.now();
  const parsed = parse(source);
  const t1 = performance.now();
  const model = expandBlocks(parsed.ast, c)[0]!;
  const t2 = performance.now();
  const lowered = lower(model, c);
  const t3 = performance.now();
  const graph = inferShapes(lowered, c);
  const t4 = performance.now();
  if (c.diagnostics.items.length > 0 || parsed.diagnostics.length > 0)
    throw new Error("resnet50.model has diagnostics");
  return { model, graph, times: [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0] };
}

const WARMUP = 20;
const RUNS = 50;
for (let i = 0; i < WARMUP; i++) frontHalf();
const samples: number[][] = [];
let last: Graph | undefined;
for (let i = 0; i < RUNS; i++) {
  const r = frontHalf();
  samples.push(r.times);
  last = r.graph;
}

const stages = ["parse", "expand-blocks", "lower", "infer-shapes", "total"];
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
const rows = stages.map((stage, i) => {
  const xs = samples.map((s) => s[i]!);
  return { stage, median_ms: quantile(xs, 0.5), p90_ms: quantile(xs, 0.9) };
});

console.log(`ResNet50: ${last!.nodes.length} nodes, ${RUNS} runs after ${WARMUP} warm-up`);
console.log(`${"stage".padEnd(14)} ${"median ms".padStart(10)} ${"p90 ms".padStart(10)}`);
for (const r of rows) {
  console.log(
    `${r.stage.padEnd(14)} ${r.median_ms.toFixed(3).padStart(10)} ${r.p90_ms.toFixed(3).padStart(10)}`,
  );
}
const total = rows.at(-1)!.median_ms;
console.log(`goal: < 50 ms through infer-shapes: ${total < 50 ? "met" : "NOT met"} (${total.toFixed(2)} ms)`);

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "shapes.json"),
  `${JSON.stringify({ model: "ResNet50", nodes: last!.nodes.length, warmup: WARMUP, runs: RUNS, goal_ms: 50, stages: rows }, null, 2)}\n`,
);
