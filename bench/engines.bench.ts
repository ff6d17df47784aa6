/**
 * The two training engines on the same all-data plans: samples/s of the seed MLP and CNN on 1 and 2 devices
 * through `DataParallelGroup` (replicas: the whole model one tfjs function, gradients all-reduced in buckets)
 * and through `PlanGroup` (the plan executor's per-layer stage runner). `trainModel` runs all-data plans on the
 * first; this measures whether the plan executor could take them over (it should lose no more than 5% on any
 * row). The two groups step in turn, so both see the same drift of a shared machine; each row is the median
 * of 40 steps after 10 warm-up steps, and the whole table is run three times, medians of those reported.
 * Prints a table and writes bench/results/engines.json. About three minutes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource, readSource } from "../compiler/pipeline.js";
import { initBackend } from "../runtime/backend/index.js";
import { randomDigits } from "./bench-data.js";
import { buildModel, initializeWeights } from "../runtime/model/index.js";
import { PlanGroup } from "../runtime/plan-exec/index.js";
import { DataParallelGroup } from "../runtime/train/data-parallel-group.js";
import type { TrainingGroup } from "../runtime/train/training-group.js";

const WARMUP = 10;
const STEPS = 40;
const ROUNDS = 3;
const BATCH = 64;
const ADAM = { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;
const here = dirname(fileURLToPath(import.meta.url));

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Samples/s of each group, stepping in turn (each round starting with the other). */
async function inTurn(groups: readonly TrainingGroup[], count: number): Promise<number[]> {
  const times = groups.map(() => [] as number[]);
  for (let s = 0; s < WARMUP + STEPS; s++) {
    for (let k = 0; k < groups.length; k++) {
      const g = (s + k) % groups.length;
      const indices = Uint32Array.from({ length: BATCH }, (_, r) => (s * BATCH + r) % count);
      const t0 = performance.now();
      await groups[g]!.step(s, indices);
      if (s >= WARMUP) times[g]!.push(performance.now() - t0);
    }
  }
  return times.map((t) => (BATCH * 1000) / median(t));
}

await initBackend("wasm");
const cases = [
  { name: "MLP", file: "mnist", shape: [28, 28] },
  { name: "CNN", file: "cnn", shape: [28, 28, 1] },
] as const;
const samples = new Map<string, { dp: number[]; plan: number[] }>();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    for (const devices of [1, 2]) {
      const compiled = compileSource(readSource(join(here, "..", "examples", `${c.file}.model`)), {
        strategy: "data",
        devices,
      });
      const train = randomDigits(1024, c.shape);
      const model = () => {
        const m = buildModel(compiled.graph!);
        initializeWeights(m, 1);
        return m;
      };
      const common = { optimizer: ADAM, loss: "sparse_categorical_crossentropy", seed: 1, train } as const;
      const groups = [
        await DataParallelGroup.start({ ...common, model: model(), devices, backend: "wasm" }),
        await PlanGroup.start({
          ...common,
          model: model(),
          plan: compiled.plan!,
          batch: BATCH,
          backend: "wasm",
        }),
      ];
      try {
        const [dp, plan] = await inTurn(groups, train.count);
        const key = `${c.name}, ${devices} device${devices > 1 ? "s" : ""}`;
        const row = samples.get(key) ?? { dp: [], plan: [] };
        row.dp.push(dp!);
        row.plan.push(plan!);
        samples.set(key, row);
      } finally {
        await Promise.all(groups.map((g) => g.close()));
      }
    }
  }
}

console.log(
  `all-data plans, global batch ${BATCH}; ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
  `${"".padEnd(16)}${"DataParallelGroup".padStart(20)}${"PlanGroup".padStart(12)}  plan / data-parallel`,
);
const rows = [...samples].map(([name, s]) => {
  const dp = median(s.dp);
  const plan = median(s.plan);
  console.log(
    `${name.padEnd(16)}${dp.toFixed(0).padStart(12)} samples/s${plan.toFixed(0).padStart(12)}  ${(plan / dp).toFixed(2)}x`,
  );
  return { name, dataParallelSamplesPerS: dp, planSamplesPerS: plan, ratio: plan / dp, rounds: s };
});
const out = join(here, "results", "engines.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify({ cores: availableParallelism(), loadavg: loadavg()[0], rows }, null, 2) + "\n",
);
console.log(`wrote ${out}`);
