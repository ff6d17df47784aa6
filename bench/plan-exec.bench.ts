/**
 * Plan execution benchmark (issue 6B): per strategy (data, model, pipeline, auto), the measured step time of
 * the seed MLP and CNN on this machine's CPU devices beside the cost model's prediction under a profile
 * calibrated here just before the model's rows (`calibrate()`, fixed costs included). A model's strategies step
 * in turn, so every row sees the same drift of a shared machine. Prints a table with the load average per model
 * (load above the 2 devices slows the steps and not the prediction) and writes bench/results/plan-exec.json.
 * About 2 minutes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Strategy } from "../compiler/ir/config.js";
import type { Plan } from "../compiler/plan/index.js";
import { readSource, compileSource } from "../compiler/pipeline.js";
import { calibrate } from "../runtime/index.js";
import { planProbe } from "../cli/plan-probe.js";
import { initBackend } from "../runtime/backend/index.js";
import { randomDigits } from "./bench-data.js";
import { buildModel, initializeWeights } from "../runtime/model/index.js";
import { PlanGroup, needsPlanExecutor } from "../runtime/plan-exec/index.js";
import { DataParallelGroup } from "../runtime/train/data-parallel-group.js";

// V8 keeps optimising tfjs's dispatch and autodiff paths over the first steps; training runs warm.
const WARMUP = 10;
const STEPS = 20;
const DEVICES = 2;
const BATCH = 64;
const ADAM = { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

interface Group {
  step(step: number, indices: Uint32Array): Promise<unknown>;
  close(): Promise<void>;
}

/** A step's wall time and the CPU time it took per device (process.cpuUsage counts every thread), in ms. */
async function timeStep(group: Group, s: number, count: number): Promise<{ wall: number; cpu: number }> {
  const indices = Uint32Array.from({ length: BATCH }, (_, r) => (s * BATCH + r) % count);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await group.step(s, indices);
  const used = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (used.user + used.system) / 1000 / DEVICES };
}

/**
 * Median wall and CPU time per step of each group, the groups stepping in turn (one step each, round after
 * round, each round starting one group later: the first of a round measured a few ms slower): the cores are
 * shared and the machine's speed drifts over minutes, and in turn every row sees the same drift. On a loaded
 * machine the wall time stretches with the load while the CPU time does not.
 */
async function medians(groups: readonly Group[], count: number): Promise<{ wall: number; cpu: number }[]> {
  const wall = groups.map(() => [] as number[]);
  const cpu = groups.map(() => [] as number[]);
  for (let s = 0; s < WARMUP + STEPS; s++) {
    for (let k = 0; k < groups.length; k++) {
      const g = (s + k) % groups.length;
      const t = await timeStep(groups[g]!, s, count);
      if (s < WARMUP) continue;
      wall[g]!.push(t.wall);
      cpu[g]!.push(t.cpu);
    }
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return groups.map((_, g) => ({ wall: mid(wall[g]!), cpu: mid(cpu[g]!) }));
}

const dir = mkdtempSync(join(tmpdir(), "mgpuc-bench-"));
// MGPUC_BENCH_PROFILE=FILE reuses a calibrated profile (to compare runs against one calibration).
const given = process.env["MGPUC_BENCH_PROFILE"];
type Profile = Awaited<ReturnType<typeof calibrate>>;
if (given !== undefined) await initBackend("wasm"); // calibrate() starts the backend itself
/**
 * A profile for one model's rows, calibrated just before them: the machine's speed drifts by tens of percent
 * over minutes (other tenants), and a calibration a model's rows earlier is that much staler.
 */
async function profileNow(): Promise<Profile> {
  return given !== undefined
    ? (JSON.parse(readFileSync(given, "utf8")) as Profile)
    : calibrate({ devices: DEVICES, backend: "wasm", planProbe });
}
const profiles: Record<string, Profile> = {};
// MGPUC_BENCH_ONLY=mnist|cnn and MGPUC_BENCH_STRATEGIES=data,model narrow the table while working on one row.
const only = process.env["MGPUC_BENCH_ONLY"];
const strategies = (process.env["MGPUC_BENCH_STRATEGIES"]?.split(",") ?? [
  "data",
  "model",
  "pipeline",
  "auto",
]) as Strategy[];

const rows: {
  model: string;
  strategy: Strategy;
  placement: string;
  measuredMs: number;
  /** CPU milliseconds per device per step: the step's time without the other work on the cores. */
  cpuMsPerDevice: number;
  predictedMs: number;
  ratio: number;
  cpuRatio: number;
  /** One-minute load average after the model's rows were measured: other work on the cores slows the steps. */
  load: number;
}[] = [];
for (const [file, shape] of [
  ["mnist", [28, 28]],
  ["cnn", [28, 28, 1]],
] as const) {
  if (only !== undefined && only !== file) continue;
  const profile = await profileNow();
  profiles[file] = profile;
  const profilePath = join(dir, `cpu-calibrated-${file}.json`);
  writeFileSync(profilePath, JSON.stringify(profile, null, 2));
  const train = randomDigits(512, shape);
  const started: { strategy: Strategy; plan: Plan; group: Group }[] = [];
  try {
    for (const strategy of strategies) {
      const result = compileSource(readSource(join(root, "examples", `${file}.model`)), {
        strategy,
        devices: DEVICES,
        profile: profilePath,
        // MGPUC_BENCH_ORDER=gpipe compares the pipeline rows with GPipe's micro-batch order (default 1F1B).
        ...(process.env["MGPUC_BENCH_ORDER"] === "gpipe" ? { microbatchOrder: "gpipe" as const } : {}),
      });
      if (result.plan === undefined || result.graph === undefined) {
        console.log(`${file} ${strategy}: no plan (${result.diagnostics.map((d) => d.message).join("; ")})`);
        continue;
      }
      const { plan } = result;
      const model = buildModel(result.graph);
      initializeWeights(model, 1);
      const common = {
        model,
        optimizer: ADAM,
        loss: "sparse_categorical_crossentropy",
        seed: 1,
        train,
      } as const;
      const group: Group = needsPlanExecutor(plan)
        ? await PlanGroup.start({ ...common, plan, batch: BATCH, backend: "wasm" })
        : await DataParallelGroup.start({
            ...common,
            devices: new Set(plan.layers.flatMap((l) => l.placement.devices)).size,
            backend: "wasm",
          });
      started.push({ strategy, plan, group });
    }
    const times = await medians(
      started.map((s) => s.group),
      train.count,
    );
    started.forEach(({ strategy, plan }, i) => {
      const { wall: measuredMs, cpu: cpuMsPerDevice } = times[i]!;
      const configs = [
        ...new Set(plan.layers.map((l) => `d${l.placement.dataDegree}m${l.placement.modelDegree}`)),
      ];
      const placement = `${plan.schedule.stages} stage(s) × ${plan.schedule.microbatches} mb, ${configs.join("/")}`;
      const predictedMs = plan.predicted.stepTimeMs;
      rows.push({
        model: file,
        strategy,
        placement,
        measuredMs,
        cpuMsPerDevice,
        predictedMs,
        ratio: measuredMs / predictedMs,
        cpuRatio: cpuMsPerDevice / predictedMs,
        load: loadavg()[0]!,
      });
    });
  } finally {
    await Promise.all(started.map((s) => s.group.close()));
  }
}
rmSync(dir, { recursive: true, force: true });

const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `plan execution, ${DEVICES} CPU devices (wasm threads), global batch ${BATCH}, median of ${STEPS} steps; ` +
    `${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}`,
);
for (const [file, profile] of Object.entries(profiles))
  console.log(
    `calibrated before ${file}: ${(profile.fp32FlopsPerSecond / 1e9).toFixed(1)} GFLOP/s, link ${(profile.linkBandwidth / 1e9).toFixed(2)} GB/s, ` +
      `layer ${(profile.layerOverheadSeconds * 1e3).toFixed(2)} ms, activations ${(profile.activationBandwidth / 1e9).toFixed(2)} GB/s, ` +
      `step ${(profile.stepOverheadSeconds * 1e3).toFixed(1)} ms, message ${(profile.messageLatencySeconds * 1e3).toFixed(2)} ms, ` +
      `split ${(profile.splitLayerOverheadSeconds * 1e3).toFixed(2)} ms, jitter ${profile.computeJitter.toFixed(2)}`,
  );
console.log(
  `${pad("model", 7)}${pad("strategy", 10)}${pad("placement", 34)}${pad("measured ms", 13)}` +
    `${pad("cpu ms/dev", 12)}${pad("predicted ms", 14)}${pad("ratio", 7)}${pad("cpu ratio", 11)}load`,
);
for (const r of rows) {
  console.log(
    `${pad(r.model, 7)}${pad(r.strategy, 10)}${pad(r.placement, 34)}${pad(r.measuredMs.toFixed(1), 13)}` +
      `${pad(r.cpuMsPerDevice.toFixed(1), 12)}${pad(r.predictedMs.toFixed(1), 14)}${pad(r.ratio.toFixed(2), 7)}` +
      `${pad(r.cpuRatio.toFixed(2), 11)}${r.load.toFixed(1)}`,
  );
}
const out = join(root, "bench", "results", "plan-exec.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { devices: DEVICES, batch: BATCH, steps: STEPS, profiles, cores: availableParallelism(), rows },
    null,
    2,
  ) + "\n",
);
