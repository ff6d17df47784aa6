/**
 * WebGPU devices against wasm on the same machine, as a user runs them: `mgpuc train EXAMPLE --backend B
 * --devices 1 --strategy data --steps K --json` whole process, for the seed MLP, the seed CNN and the tiny GPT;
 * samples/s is the run's own (its final event), wall time the whole process's. The two backends run in turn,
 * twice, medians reported. Without a WebGPU adapter it prints why and writes the wasm rows alone. On this build
 * machine the adapter is Mesa's software one (lavapipe): a CPU pretending to be a GPU, so the ratio says nothing
 * of a real GPU; run it there (docs/webgpu.md). Prints a table and writes bench/results/webgpu.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { probeWebgpu } from "../runtime/backend/webgpu-adapters.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const ROUNDS = 2;
const cases = [
  { name: "MLP", file: "mnist", steps: 100, batch: 64 },
  { name: "CNN", file: "cnn", steps: 30, batch: 64 },
  { name: "tiny GPT", file: "tiny-gpt", steps: 10, batch: 16 },
] as const;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One whole `mgpuc train` process: its samples/s (final event) and wall seconds. */
function train(
  file: string,
  backend: string,
  steps: number,
  batch: number,
): { samplesPerS: number; wall: number } {
  const args = [join(root, "bin", "mgpuc.js"), "train", join(root, "examples", `${file}.model`)];
  args.push("--backend", backend, "--devices", "1", "--strategy", "data", "--steps", String(steps));
  args.push("--batch", String(batch), "--json", "--no-save");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 256 << 20 });
  const wall = (performance.now() - t0) / 1000;
  const final = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { event: string; samples_per_s?: number })
    .find((e) => e.event === "final");
  if (r.status !== 0 || final?.samples_per_s === undefined)
    throw new Error(`mgpuc train ${file} --backend ${backend} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return { samplesPerS: final.samples_per_s, wall };
}

const probe = await probeWebgpu();
const adapter = probe.adapters[0];
const backends = adapter ? ["wasm", "webgpu"] : ["wasm"];
console.log(
  adapter
    ? `webgpu adapter: ${adapter.name} (${adapter.software ? "software" : "GPU"})`
    : `webgpu: no adapter (${probe.reason ?? "none found"}); wasm rows only`,
);
const samples = new Map<string, Map<string, { rate: number[]; wall: number[] }>>();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const order = round % 2 === 0 ? backends : [...backends].reverse();
    for (const backend of order) {
      const { samplesPerS, wall } = train(c.file, backend, c.steps, c.batch);
      const row = samples.get(c.name) ?? new Map<string, { rate: number[]; wall: number[] }>();
      const cell = row.get(backend) ?? { rate: [], wall: [] };
      cell.rate.push(samplesPerS);
      cell.wall.push(wall);
      row.set(backend, cell);
      samples.set(c.name, row);
    }
  }
}

console.log(`1 device each, data plan; ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}`);
console.log(
  `${"".padEnd(10)}${"wasm samples/s".padStart(16)}${"webgpu samples/s".padStart(18)}  webgpu / wasm`,
);
const rows = [...samples].map(([name, row]) => {
  const wasm = median(row.get("wasm")!.rate);
  const gpu = row.get("webgpu") ? median(row.get("webgpu")!.rate) : null;
  console.log(
    `${name.padEnd(10)}${wasm.toFixed(0).padStart(16)}${(gpu === null ? "-" : gpu.toFixed(0)).padStart(18)}  ` +
      `${gpu === null ? "-" : `${(gpu / wasm).toFixed(2)}x`}`,
  );
  return {
    name,
    wasmSamplesPerS: wasm,
    webgpuSamplesPerS: gpu,
    wasmWallS: median(row.get("wasm")!.wall),
    webgpuWallS: row.get("webgpu") ? median(row.get("webgpu")!.wall) : null,
  };
});
const out = join(here, "results", "webgpu.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { cores: availableParallelism(), loadavg: loadavg()[0], adapter: adapter ?? null, rows },
    null,
    2,
  ) + "\n",
);
console.log(`wrote ${out}`);
