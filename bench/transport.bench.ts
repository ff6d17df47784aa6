/**
 * Transport benchmark (issue 6): the all-reduce bandwidth of the process transport (named pipes between child
 * processes) beside the thread transport (shared memory between worker threads), 2 ranks, 4 MB and 40 MB,
 * best and mean of several repeats, and single-thread memcpy for scale; then whole training steps of the seed
 * MLP on 2 devices under each transport. Prints a table and writes bench/results/transport.json. About a minute.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../runtime/backend/index.js";
import { CounterRandom, type Dataset } from "../runtime/data/index.js";
import { timeProcessAllReduce } from "../runtime/process/index.js";
import { DataParallelGroup } from "../runtime/train/data-parallel-group.js";
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

// Whole training steps of the seed MLP on 2 devices, each transport: what the transport costs a real step.
function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28] }),
      tf.layers.dense({ units: 128, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

async function stepRate(transport: "thread" | "process", batch: number, steps: number): Promise<number> {
  const count = 2048;
  const random = new CounterRandom(1, "bench");
  const x = Float32Array.from({ length: count * 784 }, (_, i) => random.uniform(i));
  const y = Int32Array.from({ length: count }, (_, i) => i % 10);
  const data: Dataset = {
    x,
    y,
    count,
    sampleShape: [28, 28],
    labelShape: [],
    numClasses: 10,
    description: "bench",
  };
  const group = await DataParallelGroup.start({
    model: mlp(),
    devices: 2,
    optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    loss: "sparse_categorical_crossentropy",
    seed: 1,
    train: data,
    backend: "wasm",
    transport,
  });
  try {
    let ms = 0;
    for (let s = 0; s < 5 + steps; s++) {
      const indices = Uint32Array.from({ length: batch }, (_, r) => (s * batch + r) % count);
      const t0 = performance.now();
      await group.step(s, indices);
      if (s >= 5) ms += performance.now() - t0;
    }
    return (steps * batch * 1000) / ms;
  } finally {
    await group.close();
  }
}

await initBackend("wasm");
let threadRate = 0;
let processRate = 0;
for (let round = 0; round < 2; round++) {
  threadRate = Math.max(threadRate, await stepRate("thread", 64, 40));
  processRate = Math.max(processRate, await stepRate("process", 64, 40));
}
add("MLP training, 2 devices, thread transport", threadRate, "samples/s");
add(
  "MLP training, 2 devices, process transport",
  processRate,
  "samples/s",
  `${((100 * processRate) / threadRate).toFixed(0)}% of the thread transport`,
);

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
