/**
 * Runtime benchmark (issue 5): samples/s of the seed MLP and CNN on 1 and 2 devices, 1-device mgpuc against
 * plain tfjs `model.fit` on the same backend, and the shared-memory all-reduce against single-thread memcpy.
 * Prints a table and writes bench/results/runtime.json. About two minutes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../runtime/backend/index.js";
import { CounterRandom, type Dataset } from "../runtime/data/index.js";
import { DataParallelGroup } from "../runtime/train/data-parallel-group.js";
import { memcpyRate, timeAllReduce } from "../runtime/train/calibrate.js";

const WARMUP = 5;

function digits(count: number, shape: number[]): Dataset {
  const size = shape.reduce((a, b) => a * b, 1);
  const random = new CounterRandom(1, "bench");
  const x = new Float32Array(count * size);
  for (let i = 0; i < x.length; i++) x[i] = random.uniform(i);
  const y = Int32Array.from({ length: count }, (_, i) => i % 10);
  return { x, y, count, sampleShape: shape, labelShape: [], numClasses: 10, description: "bench" };
}

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28] }),
      tf.layers.dense({ units: 128, activation: "relu" }),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

/** examples/cnn.model. */
function cnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

const ADAM = { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

async function mgpucRate(
  make: () => tf.LayersModel,
  data: Dataset,
  devices: number,
  batch: number,
  steps: number,
) {
  const group = await DataParallelGroup.start({
    model: make(),
    devices,
    optimizer: ADAM,
    loss: "sparse_categorical_crossentropy",
    seed: 1,
    train: data,
    backend: "wasm",
  });
  try {
    let ms = 0;
    let cpuMicros = 0;
    for (let s = 0; s < WARMUP + steps; s++) {
      const indices = Uint32Array.from({ length: batch }, (_, r) => (s * batch + r) % data.count);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await group.step(s, indices);
      if (s >= WARMUP) {
        ms += performance.now() - t0;
        const c = process.cpuUsage(c0);
        cpuMicros += c.user + c.system;
      }
    }
    // CPU time of all threads (the workers are threads of this process) per sample.
    return { rate: (steps * batch * 1000) / ms, cpuPerSample: cpuMicros / (steps * batch) };
  } finally {
    await group.close();
  }
}

async function fitRate(make: () => tf.LayersModel, data: Dataset, batch: number, steps: number) {
  const model = make();
  // With accuracy, as the replicas report it every step.
  model.compile({
    optimizer: tf.train.adam(0.001),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  const n = batch * steps;
  const xs = tf.tensor(data.x.subarray(0, n * (data.x.length / data.count)), [n, ...data.sampleShape]);
  const ys = tf.tensor(Float32Array.from(data.y.subarray(0, n)), [n, 1]);
  const warm = batch * WARMUP;
  await model.fit(xs.slice(0, warm), ys.slice(0, warm), {
    batchSize: batch,
    epochs: 1,
    verbose: 0,
    shuffle: false,
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await model.fit(xs, ys, { batchSize: batch, epochs: 1, verbose: 0, shuffle: false });
  const c = process.cpuUsage(c0);
  const rate = (n * 1000) / (performance.now() - t0);
  tf.dispose([xs, ys]);
  model.dispose();
  return { rate, cpuPerSample: (c.user + c.system) / n };
}

const backend = await initBackend("wasm");
const rows: { name: string; value: number; unit: string; note: string }[] = [];
const add = (name: string, value: number, unit: string, note = "") => {
  rows.push({ name, value, unit, note });
  console.log(
    `${name.padEnd(44)} ${value.toFixed(value < 10 ? 2 : 0).padStart(10)} ${unit.padEnd(10)} ${note}`,
  );
};
console.log(
  `backend ${backend.name}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`,
);

const mnistLike = digits(4096, [28, 28]);
const mnistCnn = digits(4096, [28, 28, 1]);
// On a shared machine the wall-clock speed-up shows the cores we were given, not the runtime; the CPU time per
// sample says what two free cores would give: 2 × cpu(1 device) / cpu(2 devices). Each configuration runs in
// two interleaved rounds and keeps its best, so a burst of load from elsewhere does not decide a comparison.
interface Rate {
  rate: number;
  cpuPerSample: number;
}
const best = (a: Rate | null, b: Rate): Rate => (a === null || b.rate > a.rate ? b : a);
const compare = async (
  name: string,
  make: () => tf.LayersModel,
  data: Dataset,
  steps: number,
  goal: string,
) => {
  let one: Rate | null = null;
  let two: Rate | null = null;
  let fit: Rate | null = null;
  for (let round = 0; round < 2; round++) {
    one = best(one, await mgpucRate(make, data, 1, 64, steps));
    fit = best(fit, await fitRate(make, data, 64, steps));
    two = best(two, await mgpucRate(make, data, 2, 64, steps));
  }
  add(`${name}, 1 device`, one!.rate, "samples/s", `${one!.cpuPerSample.toFixed(0)} us CPU/sample`);
  add(`${name}, 2 devices`, two!.rate, "samples/s", `${(two!.rate / one!.rate).toFixed(2)}x wall ${goal}`);
  const ideal = (2 * one!.cpuPerSample) / two!.cpuPerSample;
  add(`${name}, 2 devices, CPU-bound speed-up`, ideal, "x", `${two!.cpuPerSample.toFixed(0)} us CPU/sample`);
  add(
    `${name}, plain tfjs model.fit (wasm, main thread)`,
    fit!.rate,
    "samples/s",
    `mgpuc 1 device = ${(one!.rate / fit!.rate).toFixed(2)}x (goal >= 0.95x); ${fit!.cpuPerSample.toFixed(0)} us CPU/sample`,
  );
};
await compare("MLP", mlp, mnistLike, 60, "");
await compare("CNN", cnn, mnistCnn, 25, "(goal >= 1.7x)");

// Best-of-N for both sides: on a shared, loaded machine the fastest repeat is the least disturbed one.
for (const mb of [4, 40]) {
  const floats = (mb * 1e6) / 4;
  const memcpy = memcpyRate(mb * 1e6, mb === 4 ? 40 : 10);
  add(`memcpy ${mb} MB, 1 thread (best)`, memcpy / 1e9, "GB/s");
  const timing = await timeAllReduce(2, floats, mb === 4 ? 40 : 10);
  const best = (floats * 4) / timing.best;
  add(
    `all-reduce ${mb} MB, 2 ranks (best)`,
    best / 1e9,
    "GB/s",
    `${((100 * best) / memcpy).toFixed(0)}% of memcpy (goal >= 50%)`,
  );
  add(`all-reduce ${mb} MB, 2 ranks (mean)`, (floats * 4) / timing.mean / 1e9, "GB/s");
  // The trainer's form: gradients copied straight into the shared buckets, sums read where they lie.
  const inPlace = await timeAllReduce(2, floats, mb === 4 ? 40 : 10, true);
  const bestInPlace = (floats * 4) / inPlace.best;
  add(
    `all-reduce ${mb} MB, sums read in place (best)`,
    bestInPlace / 1e9,
    "GB/s",
    `${((100 * bestInPlace) / memcpy).toFixed(0)}% of memcpy`,
  );
  // ZeRO-1's two halves, each on its own, in the same in-place form (bandwidth = the whole vector's bytes / time).
  for (const half of ["reduce-scatter", "all-gather"] as const) {
    const t = await timeAllReduce(2, floats, mb === 4 ? 40 : 10, half);
    const rate = (floats * 4) / t.best;
    add(
      `${half} ${mb} MB, 2 ranks, in place (best)`,
      rate / 1e9,
      "GB/s",
      `${((100 * rate) / memcpy).toFixed(0)}% of memcpy`,
    );
  }
}

const out = join(dirname(fileURLToPath(import.meta.url)), "results", "runtime.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { backend: backend.name, cores: availableParallelism(), loadavg: loadavg()[0], rows },
    null,
    2,
  ) + "\n",
);
console.log(`wrote ${out}`);
