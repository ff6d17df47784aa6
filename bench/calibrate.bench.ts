/**
 * Is calibration repeatable (issue 17)? Runs `mgpuc calibrate` twice, whole process as a user runs it (the
 * installed command: `npm run build` first), and prints each field of the two profiles side by side. Goals:
 * rates and bandwidths within 10% of each other, fixed costs (seconds) within 0.3 ms. `--quick` compares two
 * runs of the quick form (`calibrate --quick`, what `train` runs on a machine's first use). Writes
 * bench/results/calibrate.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

/** One `mgpuc calibrate -o FILE` process: the profile it wrote and its wall seconds. */
function calibrate(run: number): { profile: Record<string, unknown>; seconds: number } {
  const out = join(tmpdir(), `mgpuc-calibrate-${process.pid}-${run}.json`);
  const t0 = performance.now();
  const form = process.argv.includes("--quick") ? ["--quick"] : [];
  const r = spawnSync(process.execPath, [join(root, "bin", "mgpuc.js"), "calibrate", ...form, "-o", out], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`mgpuc calibrate exited ${r.status}: ${r.stderr.slice(-500)}`);
  const seconds = (performance.now() - t0) / 1000;
  return { profile: JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>, seconds };
}

console.log(`load ${loadavg()[0]!.toFixed(1)}`);
const runs = [calibrate(1), calibrate(2)];
const [a, b] = [runs[0]!.profile, runs[1]!.profile];
const rows: Record<string, unknown>[] = [];
let repeatable = 0;
let compared = 0;
console.log("field                           first         second        agreement   goal");
for (const [key, first] of Object.entries(a)) {
  const second = b[key];
  if (typeof first !== "number" || typeof second !== "number" || key === "memoryBytes") continue;
  // Seconds are fixed costs (goal: within 0.3 ms); everything else is a rate, a bandwidth or a ratio (computeJitter:
  // the spread of a step's compute between lockstep devices), compared relatively (within 10%).
  const fixed = key.endsWith("Seconds") || key === "linkLatency";
  const agreement = fixed
    ? Math.abs(first - second) * 1e3
    : Math.max(first, second) / Math.min(first, second) - 1;
  const ok = fixed ? agreement <= 0.3 : agreement <= 0.1;
  compared++;
  if (ok) repeatable++;
  const shown = fixed ? `${agreement.toFixed(3)} ms` : `${(agreement * 100).toFixed(1)}%`;
  console.log(
    `${key.padEnd(31)} ${first.toPrecision(3).padStart(12)}  ${second.toPrecision(3).padStart(12)}  ${shown.padStart(10)}   ${fixed ? "≤ 0.3 ms" : "≤ 10%"} ${ok ? "" : "✗"}`,
  );
  rows.push({ field: key, first, second, agreement, fixed, ok });
}
console.log(
  `${repeatable} of ${compared} fields repeatable; calibrations took ${runs.map((r) => r.seconds.toFixed(0)).join(" and ")} s`,
);

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "calibrate.json"),
  `${JSON.stringify({ load: loadavg()[0], seconds: runs.map((r) => r.seconds), rows }, null, 2)}\n`,
);
