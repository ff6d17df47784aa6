/**
 * Placement speed (issue 4): a 1,000-layer chain placed on 8 devices (goal < 1 s), a 10,000-layer model
 * compiled end to end to a plan (goal < 2 s), and search time against layers (it should grow linearly).
 * Medians after a warm-up. Prints a table and writes bench/results/placement.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { SourceFile } from "../compiler/diagnostics/span.js";
import { compileSource } from "../compiler/pipeline.js";
import { planModel } from "../compiler/plan-model.js";
import { DiagnosticBag } from "../compiler/diagnostics/diagnostic.js";

const here = dirname(fileURLToPath(import.meta.url));

/** A chain of `layers` layers: input, then dense and relu alternating. */
function chain(layers: number): string {
  const pairs = Math.floor((layers - 1) / 2);
  const extra = layers - 1 - 2 * pairs;
  return `model Chain {
  input x: [256]
  repeat ${pairs} { dense(256) -> relu }
  ${extra > 0 ? "dense(10)" : ""}
}
train { batch: 64 }
parallel { devices: 8  profile: cpu }
`;
}

/** About `layers` layers of residual blocks (dense, dense, add): branches keep two tensors live. */
function residual(layers: number): string {
  return `block res(x) {
  dense(64, activation: relu) -> dense(64)
  add(_, x)
}
model Residual {
  input x: [64]
  repeat ${Math.floor((layers - 1) / 3)} { res(_) }
}
train { batch: 64 }
parallel { devices: 8  profile: cpu }
`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Placement alone (estimate-cost → place-layers → schedule → plan) on an already shaped graph. */
function timePlacement(text: string, runs: number): { ms: number; layers: number; step: number } {
  const source = new SourceFile("bench.model", text);
  const front = compileSource(source, { stopAfter: "check-data" });
  const { graph, training, parallel } = front;
  if (!graph || !training || !parallel || front.diagnostics.length > 0)
    throw new Error("bench model does not compile");
  const times: number[] = [];
  let step = 0;
  for (let i = 0; i < runs + 1; i++) {
    const ctx = { diagnostics: new DiagnosticBag(), source };
    const t0 = performance.now();
    const plan = planModel(graph, training, parallel, { baseDir: here }, ctx);
    const t = performance.now() - t0;
    if (!plan) throw new Error(ctx.diagnostics.items.map((d) => d.message).join("; "));
    step = plan.predicted.stepTimeMs;
    if (i > 0) times.push(t);
  }
  return { ms: median(times), layers: graph.nodes.length, step };
}

function timeEndToEnd(text: string, runs: number): { ms: number; layers: number } {
  const times: number[] = [];
  let layers = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = compileSource(new SourceFile("bench.model", text));
    const t = performance.now() - t0;
    if (!r.plan) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
    layers = r.plan.layers.length;
    if (i > 0) times.push(t);
  }
  return { ms: median(times), layers };
}

// Warm the JIT on a mid-sized model first, so the first measurement is not the compiler's warm-up.
timePlacement(chain(2000), 3);
timePlacement(residual(2000), 3);
const chain1000 = timePlacement(chain(1000), 5);
const chainE2E = timeEndToEnd(chain(10_000), 3);
const residualE2E = timeEndToEnd(residual(10_000), 3);
const scaling = [250, 500, 1000, 2000, 4000, 8000].map((n) => {
  const c = timePlacement(chain(n), 3);
  const r = timePlacement(residual(n), 3);
  return {
    layers: n,
    chainMs: c.ms,
    chainUsPerLayer: (1000 * c.ms) / c.layers,
    residualMs: r.ms,
    residualUsPerLayer: (1000 * r.ms) / r.layers,
  };
});

const f = (x: number) => x.toFixed(1).padStart(9);
console.log(`placement, 1,000-layer chain on 8 × cpu:      ${f(chain1000.ms)} ms   (goal < 1000 ms)`);
console.log(
  `end to end, ${chainE2E.layers}-layer chain to a plan:   ${f(chainE2E.ms)} ms   (goal < 2000 ms)`,
);
console.log(
  `end to end, ${residualE2E.layers}-layer residual model:    ${f(residualE2E.ms)} ms   (goal < 2000 ms)`,
);
console.log("\nlayers   chain ms   µs/layer   residual ms   µs/layer");
for (const s of scaling) {
  console.log(
    `${String(s.layers).padStart(6)} ${f(s.chainMs)} ${f(s.chainUsPerLayer)}   ${f(s.residualMs)}  ${f(s.residualUsPerLayer)}`,
  );
}

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "placement.json"),
  `${JSON.stringify({ chain1000PlacementMs: chain1000.ms, chain10000EndToEndMs: chainE2E.ms, residual10000EndToEndMs: residualE2E.ms, scaling }, null, 2)}\n`,
);
