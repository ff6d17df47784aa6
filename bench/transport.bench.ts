/**
 * Transport benchmark (issue 6): the all-reduce bandwidth of the process transport (named pipes between child
 * processes) beside the thread transport (shared memory between worker threads), 2 ranks, 4 MB and 40 MB,
 * best and mean of several repeats, and single-thread memcpy for scale. Prints a table and writes
 * bench/results/transport.json. About half a minute.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { timeProcessAllReduce } from "../runtime/process/index.js";
import { memcpyRate, timeAllReduce } from "../runtime/train/calibrate.js";

interface Row {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note: string;
}
const rows: Row[] = [];
function add(name: string, value: number, unit: string, note = ""): void {
  rows.push({ name, value, unit, note });
}

const RANKS = 2;
for (const mb of [4, 40]) {
  const floats = (mb * 1e6) / 4;
  const bytes = floats * 4;
  const repeats = mb === 4 ? 30 : 8;
  const memcpy = memcpyRate(bytes, repeats);
  const thread = await timeAllReduce(RANKS, floats, repeats);
  const proc = await timeProcessAllReduce(RANKS, floats, repeats);
  add(`memcpy ${mb} MB, 1 thread (best)`, memcpy / 1e9, "GB/s");
  add(`all-reduce ${mb} MB, thread transport (best)`, bytes / thread.best / 1e9, "GB/s");
  add(`all-reduce ${mb} MB, thread transport (mean)`, bytes / thread.mean / 1e9, "GB/s");
  add(
    `all-reduce ${mb} MB, process transport (best)`,
    bytes / proc.best / 1e9,
    "GB/s",
    `${((100 * thread.best) / proc.best).toFixed(0)}% of the thread transport`,
  );
  add(`all-reduce ${mb} MB, process transport (mean)`, bytes / proc.mean / 1e9, "GB/s");
}

const width = Math.max(...rows.map((r) => r.name.length));
console.log(`transport benchmark: all-reduce over ${RANKS} ranks (bandwidth = bytes reduced / time)`);
for (const r of rows)
  console.log(`${r.name.padEnd(width)}  ${r.value.toFixed(2).padStart(8)} ${r.unit.padEnd(5)} ${r.note}`);

const out = join(dirname(fileURLToPath(import.meta.url)), "results", "transport.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify({ ranks: RANKS, cores: availableParallelism(), loadavg: loadavg()[0], rows }, null, 2) +
    "\n",
);
console.log(`wrote ${out}`);
