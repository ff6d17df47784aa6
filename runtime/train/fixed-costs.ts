import * as tf from "@tensorflow/tfjs";
import { DataParallelGroup } from "./data-parallel-group.js";
import type { BackendPreference } from "../backend/init-backend.js";
import { readFloats } from "../backend/read-floats.js";
import { type CalibrationEffort, FULL_EFFORT } from "./calibration-effort.js";

/*
 * The fixed costs `calibrate()` measures beyond the roofline (compiler/cost/README.md, "v2 terms"), each as the
 * cost model uses it, on the backend this thread runs.
 */

/** Blocks a call's measurement is cut into: their median resists a burst of other work on the cores. */
const BLOCKS = 5;

/**
 * Seconds per call of `f`, after a warm-up of about `ms` milliseconds: the measurement, about `ms` more, is cut
 * into `BLOCKS` blocks, and the median of the blocks' means is returned. Means within a block, not the best
 * call: a training step shares the cores with whatever else runs on the machine, and so does this. The median
 * across blocks: one burst of other work (a compile, a GC of another process) then moves one block, not the
 * figure (two calibrations agreed on 5–9 of 13 fields with the plain mean). The warm-up is long because V8
 * optimises tfjs's dispatch and autodiff paths over the first few hundred calls (measured: a tiny layer's
 * forward + backward 1.5 ms on the first 150 ms, 0.4 ms once warm), and training runs warm. `f` ends by reading
 * its result back (`settle`), as a step reads its gradients: on WebGPU that is when the GPU's work is done.
 */
async function timeCall(f: () => Promise<void>, ms = 150): Promise<number> {
  const warm = performance.now();
  for (let calls = 0; performance.now() - warm < ms || calls < 2; calls++) await f();
  const means: number[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < ms / BLOCKS || calls < 2) {
      await f();
      calls++;
    }
    means.push((performance.now() - t0) / 1000 / calls);
  }
  means.sort((a, b) => a - b);
  return means[Math.floor(BLOCKS / 2)]!;
}

/** Runs `make` in a tidy scope and reads its results back (synchronously where the backend can). */
async function settle(make: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const out = tf.tidy(make);
  const list = Array.isArray(out) ? out : [out];
  await readFloats(list);
  tf.dispose(list);
}

/**
 * FLOP/s of a 256×256 matMul on this thread's backend, timed as every other call here (`timeCall`: a warm-up,
 * then the median of blocks) over `matMulMs` in all. A plain mean over the whole time, the first calls
 * included, gave two calibrations a minute apart 1.4e10 and 2.5e10.
 */
export async function matMulRate(effort: CalibrationEffort = FULL_EFFORT): Promise<number> {
  const n = 256;
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const t = await timeCall(() => settle(() => tf.matMul(a, b)), effort.matMulMs / 2);
  tf.dispose([a, b]);
  return (2 * n ** 3) / t;
}

/** Seconds per tfjs kernel call on a one-element tensor: the dispatch cost an optimizer update pays per kernel. */
export async function opOverhead(effort: CalibrationEffort = FULL_EFFORT): Promise<number> {
  const one = tf.scalar(1);
  const chain = 50;
  const t = await timeCall(
    () =>
      settle(() => {
        let x: tf.Tensor = one;
        for (let i = 0; i < chain; i++) x = tf.add(x, one);
        return x;
      }),
    effort.callMs,
  );
  one.dispose();
  return t / chain;
}

/**
 * Seconds of a tiny dense layer's forward + backward with its gradients read out, as a training step runs it
 * (autodiff tape, bias, activation, the weight and bias gradients): what any layer costs beyond its FLOPs.
 */
export async function layerOverhead(effort: CalibrationEffort = FULL_EFFORT): Promise<number> {
  const x = tf.randomUniform([4, 8]);
  const w = tf.variable(tf.randomUniform([8, 8]));
  const b = tf.variable(tf.zeros([8]));
  const t = await timeCall(
    () =>
      settle(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.relu(tf.add(tf.matMul(x, w), b))) as tf.Scalar);
        return Object.values(grads);
      }),
    effort.callMs,
  );
  tf.dispose([x, w, b]);
  return t;
}

/** Bytes/s of an elementwise kernel (two 1 MiB inputs, one output), as an optimizer update runs them. */
export async function elementwiseRate(
  effort: CalibrationEffort = FULL_EFFORT,
  floats = 1 << 18,
): Promise<number> {
  const a = tf.randomUniform([floats]);
  const b = tf.randomUniform([floats]);
  const chain = 8;
  // A CPU backend is done when the calls return; a GPU when one element of the result is read back.
  const t = await timeCall(
    () =>
      settle(() => {
        let x = a;
        for (let i = 0; i < chain; i++) x = tf.add(x, b);
        return tf.slice(x, [0], [1]);
      }),
    effort.callMs,
  );
  tf.dispose([a, b]);
  return (3 * 4 * floats * chain) / t;
}

/**
 * Weight bytes/s a dense layer's backward gets through on a tiny batch (2 MiB of weights, 4 rows), beyond the
 * layer's fixed cost: the weight gradient written, transposes, the gradient read out for the all-reduce.
 */
export async function weightGradientRate(
  fixed: number,
  effort: CalibrationEffort = FULL_EFFORT,
): Promise<number> {
  const [rows, inputs, units] = [4, 2048, 256];
  const x = tf.randomUniform([rows, inputs]);
  const w = tf.variable(tf.randomUniform([inputs, units]));
  const t = await timeCall(
    () => settle(() => tf.variableGrads(() => tf.sum(tf.matMul(x, w)) as tf.Scalar, [w]).grads[w.name]!),
    effort.callMs,
  );
  tf.dispose([x, w]);
  const flops = (3 * 2 * rows * inputs * units) / 30e9;
  return (4 * inputs * units) / Math.max(1e-6, t - fixed - flops);
}

/**
 * Activation bytes/s through forward + backward beyond the fixed cost, from the two layers a conv net's backward
 * spends its time in: a 3×3 conv (+ relu) 1 → 32 channels on [16, 28, 28, 1] (its filter gradient is an
 * im2col) and a 2×2 max-pool of its [16, 26, 26, 32] output; their inputs + outputs over their time, each
 * timed for 0.4 s at full effort (a few dozen calls: the CNN predictions lean on this rate).
 */
export async function activationRate(
  fixed: number,
  effort: CalibrationEffort = FULL_EFFORT,
): Promise<number> {
  const x = tf.randomUniform([16, 28, 28, 1]) as tf.Tensor4D;
  const w = tf.variable(tf.randomUniform([3, 3, 1, 32])) as tf.Variable<tf.Rank.R4>;
  const y = tf.randomUniform([16, 26, 26, 32]) as tf.Tensor4D;
  const conv = await timeCall(
    () =>
      settle(() => {
        const f = () => tf.sum(tf.relu(tf.conv2d(x, w, 1, "valid"))) as tf.Scalar;
        return tf.variableGrads(f, [w]).grads[w.name]!;
      }),
    // Longer than other calls: each is tens of ms, and the CNN predictions lean on this rate.
    effort.callMs * (8 / 3),
  );
  const pool = await timeCall(
    async () => {
      const v = tf.variable(y, true) as tf.Variable<tf.Rank.R4>;
      await settle(() => {
        const f = () => tf.sum(tf.maxPool(v, 2, 2, "valid")) as tf.Scalar;
        return tf.variableGrads(f, [v]).grads[v.name]!;
      });
      v.dispose();
    },
    effort.callMs * (8 / 3),
  );
  // As the cost model counts them: the conv's output (its input goes through the GEMM), the pool's input + output.
  const bytes = 4 * y.size + 4 * (y.size + y.size / 4);
  tf.dispose([x, w, y]);
  return bytes / Math.max(1e-6, conv + pool - 2 * fixed);
}

/**
 * One unit of a device's conv-net work, ready to repeat: a 3×3 conv 1 → 32 channels + relu + 2×2 max-pool,
 * forward and backward, on [16, 28, 28, 1] (~25 ms on the build machine's wasm).
 */
export function convPoolCall(): { run(): Promise<void>; dispose(): void } {
  const x = tf.randomUniform([16, 28, 28, 1]) as tf.Tensor4D;
  const w = tf.variable(tf.randomUniform([3, 3, 1, 32])) as tf.Variable<tf.Rank.R4>;
  return {
    run: () =>
      settle(() => {
        const f = () => tf.sum(tf.maxPool(tf.relu(tf.conv2d(x, w, 1, "valid")), 2, 2, "valid")) as tf.Scalar;
        return tf.variableGrads(f, [w]).grads[w.name]!;
      }),
    dispose: () => tf.dispose([x, w]),
  };
}

/**
 * An Adam step on one 2^19-float weight (2 MB, beyond the caches, as a model's update is): the optimizer
 * update's memory-bound elementwise kernels, the work that slows down most when devices share a memory bus.
 */
export function adamUpdateCall(): { run(): Promise<void>; dispose(): void } {
  const size = 1 << 19;
  const weight = tf.variable(tf.randomUniform([size]));
  const gradient = tf.randomUniform([size]);
  // As the runtime holds it (worker/optimizer.ts): the base class, whose update takes gradients by name.
  const optimizer: tf.Optimizer = tf.train.adam(1e-3);
  const gradients: tf.NamedTensorMap = { [weight.name]: gradient };
  return {
    run: async () => {
      optimizer.applyGradients(gradients);
      // One element read back: the update has run (on an asynchronous backend too), little copied.
      await settle(() => tf.slice(weight, 0, 1));
    },
    dispose: () => {
      optimizer.dispose();
      tf.dispose([weight, gradient]);
    },
  };
}

/** Seconds a pipeline stage spends per received micro-batch beyond its layers: wrap, differentiate, read out. */
export async function messageOverhead(effort: CalibrationEffort = FULL_EFFORT): Promise<number> {
  const data = new Float32Array(64);
  const t = await timeCall(async () => {
    const v = tf.variable(tf.tensor(data, [4, 16]), true);
    await settle(() => tf.variableGrads(() => tf.sum(tf.mul(v, v)) as tf.Scalar, [v]).grads[v.name]!);
    v.dispose();
  }, effort.callMs);
  return t;
}

/** Unmeasured steps before a tiny step is timed (see `tinyStepTime`): a few ms each, about 0.3 s in all. */
const WARM_STEPS = 120;

/**
 * The median step of a `layers`-layer model of width 8 (8 inputs → 4 classes) on `devices` worker devices: with
 * one layer, about the fixed cost of a step (dispatch to the workers, loss, barriers, a tiny all-reduce); the
 * difference with more layers, what a layer costs inside the runtime's step.
 */
export async function tinyStepTime(
  devices: number,
  backend: BackendPreference,
  layers = 1,
  webgpuAdapters: readonly string[] = [],
  effort: CalibrationEffort = FULL_EFFORT,
): Promise<number> {
  const width = { units: 8, activation: "relu" } as const;
  const head = { units: 4, activation: "softmax" } as const;
  const stack =
    layers === 1
      ? [tf.layers.dense({ ...head, inputShape: [8] })]
      : [
          tf.layers.dense({ ...width, inputShape: [8] }),
          ...Array.from({ length: layers - 2 }, () => tf.layers.dense(width)),
          tf.layers.dense(head),
        ];
  const model = tf.sequential({ layers: stack });
  const count = 256;
  const train = {
    x: Float32Array.from({ length: count * 8 }, (_, i) => ((i * 7919) % 101) / 101),
    y: Int32Array.from({ length: count }, (_, i) => i % 4),
    count,
    sampleShape: [8],
    labelShape: [],
    numClasses: 4,
    description: "calibrate",
  };
  const group = await DataParallelGroup.start({
    model,
    devices,
    optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    loss: "sparse_categorical_crossentropy",
    seed: 1,
    train,
    backend,
    // WebGPU devices are processes, as in training.
    ...(backend === "webgpu" ? { transport: "process" as const, webgpuAdapters } : {}),
  });
  const times: number[] = [];
  try {
    // Warm first: V8 optimises the step's path (messages, batch gather, tape, update) over its first ~100 calls,
    // measured here: a tiny step's median 7.5 ms over steps 0–24, 3 ms over 50–74, 1 ms from 75 on. Training runs
    // warm, and cold steps made the per-step overhead 3–5× what `mgpuc train` then measured.
    // Then 100 measured steps at full effort (50 quick): one step scatters by milliseconds on a loaded machine, as much as a
    // tiny layer costs; their median.
    for (let s = 0; s < WARM_STEPS + effort.steps; s++) {
      const indices = Uint32Array.from({ length: 64 }, (_, r) => (s * 64 + r) % count);
      const t0 = performance.now();
      await group.step(s, indices);
      if (s >= WARM_STEPS) times.push((performance.now() - t0) / 1000);
    }
  } finally {
    await group.close();
    model.dispose();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
