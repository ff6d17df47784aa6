/**
 * Whole-process start-up, as a user runs the installed command (bin/mgpuc.js → dist/mgpuc-start.cjs; run `npm run
 * build` first): `mgpuc --version`, `mgpuc check` on the MNIST example and a 10,000-layer model to a plan, beside
 * `node -e 0`, best and median of 10 runs each. Goals (issue 14): --version and check under 150 ms, 10k layers
 * under 1 s. Prints a table and writes bench/results/start-up.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { generateModel } from "./generate-model.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mgpuc = join(root, "bin", "mgpuc.js");
if (!existsSync(join(root, "dist", "mgpuc-start.cjs")))
  throw new Error("no dist/mgpuc-start.cjs: run `npm run build` first");

const dir = mkdtempSync(join(tmpdir(), "mgpuc-start-"));
const big = join(dir, "big.model");
writeFileSync(big, generateModel(10_000));

const RUNS = 10;
const cases: [string, string[]][] = [
  ["node -e 0", ["-e", "0"]],
  ["mgpuc --version", [mgpuc, "--version"]],
  // The same CLI as tsc built it, one module per source file: what the bundle saves.
  ["mgpuc --version, unbundled (dist/cli/main.js)", [join(root, "dist", "cli", "main.js"), "--version"]],
  ["mgpuc check examples/mnist.model", [mgpuc, "check", join(root, "examples", "mnist.model")]],
  [
    "mgpuc big.model --emit plan (10,000 layers)",
    [mgpuc, big, "--emit", "plan", "-o", join(dir, "plan.json")],
  ],
];

const rows = cases.map(([name, args]) => {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    ms.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
  }
  ms.sort((a, b) => a - b);
  return { name, best: ms[0]!, median: ms[Math.floor(RUNS / 2)]! };
});

const node = rows[0]!.best;
console.log(`whole process, best / median of ${RUNS} (ms); × = best ÷ node -e 0's best`);
for (const r of rows)
  console.log(
    `${r.name.padEnd(46)} ${r.best.toFixed(0).padStart(6)} ${r.median.toFixed(0).padStart(6)}  ${(r.best / node).toFixed(1)}×`,
  );
const results = join(root, "bench", "results");
mkdirSync(results, { recursive: true });
writeFileSync(join(results, "start-up.json"), `${JSON.stringify({ runs: RUNS, rows }, null, 2)}\n`);
