/**
 * mgpuc against the program a user would run instead (issue 17): the seed MLP and CNN on 2 devices, whole
 * processes as users start them, beside the project's own `--emit torch` program under PyTorch
 * DistributedDataParallel (gloo, 2 ranks started by environment, one thread each as torchrun sets). Both train
 * data-parallel on the same MNIST digits with the same global batch; both rates skip the first five steps (the
 * `final` event's and the torch program's final line). The MLP trains the file's 5 epochs on both sides, the
 * CNN 60 steps. Rounds alternate the two; medians reported. Goal: mgpuc ≥ 1.25× torch on both models.
 * Needs Debian's python3-torch (it says so and stops otherwise) and `npm run build` (the installed command).
 * Writes bench/results/ddp.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { torchMissing } from "../test/emit-python/python.js";
import { runRanks } from "../test/emit-python/run-ranks.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const bin = join(root, "bin", "mgpuc.js");
const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 1 : 3;
const cases = [
  { name: "MLP", file: "mnist", length: quick ? ["--epochs", "1"] : [] },
  { name: "CNN", file: "cnn", length: ["--steps", quick ? "20" : "60"] },
] as const;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `mgpuc train EXAMPLE --devices 2 --strategy data`: samples/s from its final event. */
function mgpucRate(file: string, length: readonly string[]): number {
  const args = ["train", join(root, "examples", `${file}.model`), "--devices", "2", "--strategy", "data"];
  const r = spawnSync(process.execPath, [bin, ...args, ...length, "--json", "--no-save"], {
    encoding: "utf8",
    maxBuffer: 256 << 20,
  });
  const final = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((e) => e["event"] === "final");
  if (r.status !== 0 || typeof final?.["samples_per_s"] !== "number")
    throw new Error(`mgpuc train ${file} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return final["samples_per_s"];
}

/** The emitted torch program on 2 ranks: samples/s from rank 0's final line. */
async function torchRate(program: string, length: readonly string[]): Promise<number> {
  const results = await runRanks(program, 2, length, {}, 600_000);
  const bad = results.find((r) => r.code !== 0);
  if (bad) throw new Error(`torch on 2 ranks failed: ${bad.output}`);
  const rate = Number(/samples_per_s=(\S+)/.exec(results[0]!.output)?.[1]);
  if (!Number.isFinite(rate)) throw new Error(`no samples_per_s in: ${results[0]!.output.slice(-500)}`);
  return rate;
}

const missing = torchMissing();
if (missing !== undefined) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "mgpuc-bench-ddp-"));
console.log(
  `cores ${availableParallelism()}, load ${loadavg()[0]!.toFixed(1)}; ${ROUNDS} round(s), medians; 2 devices / ranks, data-parallel`,
);
console.log("model  mgpuc samples/s  torch DDP samples/s  mgpuc ÷ torch");
const rows: Record<string, unknown>[] = [];
for (const c of cases) {
  const program = join(dir, `${c.file}.py`);
  const source = join(root, "examples", `${c.file}.model`);
  const emitted = spawnSync(
    process.execPath,
    [bin, source, "--emit", "torch", "--devices", "2", "--strategy", "data", "-o", program],
    { encoding: "utf8" },
  );
  if (emitted.status !== 0) throw new Error(`--emit torch failed: ${emitted.stderr}`);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    ours.push(mgpucRate(c.file, c.length));
    theirs.push(await torchRate(program, c.length));
  }
  const [m, t] = [median(ours), median(theirs)];
  console.log(
    `${c.name.padEnd(6)} ${m.toFixed(0).padStart(15)}  ${t.toFixed(0).padStart(19)}  ${(m / t).toFixed(2).padStart(12)}×`,
  );
  rows.push({ model: c.name, mgpuc: ours, torch: theirs, ratio: m / t });
}
console.log("goal: mgpuc ≥ 1.25× torch DDP on both");

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "ddp.json"),
  `${JSON.stringify({ load: loadavg()[0], rows }, null, 2)}\n`,
);
