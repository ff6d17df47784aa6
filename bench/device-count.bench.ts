/**
 * How many devices `auto` uses, against what each count measures (issue 17): for the seed MLP and CNN, whole
 * `mgpuc train EXAMPLE --devices N --json` processes as a user runs them, on 1 device, on 2 data-parallel devices,
 * and under `auto` allowed 2 (which may use fewer: its `start` event says how many). Each run's samples/s and its
 * predicted and measured step come from its own final event. Rounds alternate the three runs; medians reported.
 * Goals: auto within 5% of the best measured count; measured / predicted step within 0.8–1.2. Pass
 * `--profile=FILE.json` (from `mgpuc calibrate`) to plan with measured costs. Writes
 * bench/results/device-count.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const quick = process.argv.includes("--quick");
// `--profile=FILE` (npm run bench passes only `--` flags on, so the value rides in the same argument).
const given = process.argv.find((a) => a.startsWith("--profile="))?.slice("--profile=".length);
const profile = given === undefined ? undefined : resolve(given);
const ROUNDS = quick ? 1 : 3;
// The MLP trains as the README's command does: the file's 5 epochs (705 steps). Its first ~100 steps run
// before V8 has optimised tfjs's code (2 devices: 12 ms a step over the first 50, 5–6 ms after 250), so a one-epoch
// run (141 steps) measured 8–9 ms where the whole run measures 6.2–6.8. The CNN's steps are ~20 times longer and
// its warm-up a small part of 60 of them (the file's 5 epochs would take 80 s a run).
const cases = [
  { name: "MLP", file: "mnist", length: quick ? ["--epochs", "1"] : [] },
  { name: "CNN", file: "cnn", length: ["--steps", quick ? "20" : "60"] },
] as const;
const runs = [
  { label: "1 device", args: ["--devices", "1"] },
  { label: "2 devices, data", args: ["--devices", "2", "--strategy", "data"] },
  { label: "auto, at most 2", args: ["--devices", "2"] },
] as const;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Run {
  readonly devices: number;
  readonly samplesPerS: number;
  readonly predictedMs: number;
  readonly measuredMs: number;
}

/** One whole `mgpuc train` process: devices used (start event), samples/s and steps (final event). */
function train(file: string, length: readonly string[], args: readonly string[]): Run {
  const cmd = [join(root, "bin", "mgpuc.js"), "train", join(root, "examples", `${file}.model`), ...args];
  cmd.push(...length, "--json", "--no-save", ...(profile ? ["--profile", profile] : []));
  const r = spawnSync(process.execPath, cmd, { encoding: "utf8", maxBuffer: 256 << 20 });
  const events = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const start = events.find((e) => e["event"] === "start");
  const final = events.find((e) => e["event"] === "final");
  if (r.status !== 0 || !start || typeof final?.["samples_per_s"] !== "number")
    throw new Error(`mgpuc train ${file} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return {
    devices: Number(start["devices"]),
    samplesPerS: final["samples_per_s"],
    predictedMs: Number(final["predicted_step_ms"]),
    measuredMs: Number(final["measured_step_ms"]),
  };
}

const rows: Record<string, unknown>[] = [];
console.log(
  `cores ${availableParallelism()}, load ${loadavg()[0]!.toFixed(1)}; profile ${profile ?? "shipped (cpu)"}; ${ROUNDS} round(s), medians`,
);
console.log("model  run               devices  samples/s  measured / predicted step   vs best count");
for (const c of cases) {
  const samples = runs.map(() => [] as Run[]);
  for (let round = 0; round < ROUNDS; round++)
    runs.forEach((run, i) => samples[i]!.push(train(c.file, c.length, run.args)));
  const med = samples.map((s) => ({
    devices: s[0]!.devices,
    samplesPerS: median(s.map((x) => x.samplesPerS)),
    predictedMs: median(s.map((x) => x.predictedMs)),
    measuredMs: median(s.map((x) => x.measuredMs)),
  }));
  const best = Math.max(med[0]!.samplesPerS, med[1]!.samplesPerS);
  med.forEach((m, i) => {
    const step = `${m.measuredMs.toFixed(2)} / ${m.predictedMs.toFixed(2)} ms (${(m.measuredMs / m.predictedMs).toFixed(2)}×)`;
    console.log(
      `${c.name.padEnd(6)} ${runs[i]!.label.padEnd(17)} ${String(m.devices).padStart(7)}  ${m.samplesPerS.toFixed(0).padStart(9)}  ${step.padStart(25)}   ${(m.samplesPerS / best).toFixed(2)}×`,
    );
    rows.push({ model: c.name, run: runs[i]!.label, ...m, vsBest: m.samplesPerS / best });
  });
}
console.log("goals: auto ≥ 0.95× the best count; measured / predicted 0.8–1.2");

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "device-count.json"),
  `${JSON.stringify({ profile: profile ?? "cpu", load: loadavg()[0], rows }, null, 2)}\n`,
);
