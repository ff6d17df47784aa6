import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/index.js";
import { createSharedLayout } from "../collectives/index.js";
import { type RankJob, runRank } from "../collectives/rank-worker.js";
import { startWorker } from "../devices/index.js";

export interface CalibrateOptions {
  /** Ranks for the all-reduce measurement; default 2. */
  readonly devices?: number;
  readonly backend?: "auto" | "wasm" | "cpu";
}

/** The device profile shape of `profiles/cpu.json`. */
export interface DeviceProfile {
  readonly name: string;
  readonly source: string;
  readonly rate: "fp32";
  readonly fp32FlopsPerSecond: number;
  readonly memoryBytes: number;
  readonly memoryBandwidth: number;
  readonly linkBandwidth: number;
  readonly linkLatency: number;
}

/** FLOP/s of a 256×256 matMul on this thread's backend, over about half a second. */
export function matMulRate(): number {
  const n = 256;
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  tf.matMul(a, b).dispose();
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 500) {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    reps++;
  }
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([a, b]);
  return (reps * 2 * n ** 3) / seconds;
}

/** Single-thread memcpy bandwidth (bytes/s), the yardstick for the all-reduce. */
export function memcpyRate(bytes = 32 << 20): number {
  const src = new Float32Array(bytes / 4).fill(1);
  const dst = new Float32Array(bytes / 4);
  dst.set(src);
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300) {
    dst.set(src);
    reps++;
  }
  return (reps * bytes) / ((performance.now() - t0) / 1000);
}

/**
 * Seconds per all-reduce of `floats` floats over `ranks` ranks (rank 0 here, the others in worker threads),
 * averaged over `repeats` after one warm-up.
 */
export async function timeAllReduce(ranks: number, floats: number, repeats: number): Promise<number> {
  const layout = createSharedLayout(ranks, Math.min(floats, 1 << 22));
  const job = (rank: number): RankJob => ({
    layout,
    rank,
    mode: "time",
    lengths: [floats],
    repeats: repeats + 1,
  });
  const workers = Array.from({ length: ranks - 1 }, (_, i) => {
    const worker = startWorker(import.meta.url, "../collectives/rank-worker", { workerData: job(i + 1) });
    return new Promise<void>((resolve, reject) => {
      worker.on("error", reject);
      worker.on("exit", () => resolve());
    });
  });
  const local = job(0);
  runRank({ ...local, repeats: 1 });
  const t0 = performance.now();
  runRank({ ...local, repeats });
  const seconds = (performance.now() - t0) / 1000 / repeats;
  await Promise.all(workers);
  return seconds;
}

/**
 * Measures this machine into a device profile for the cost model: the chosen backend's matMul rate in one
 * thread (= one device), memory bandwidth (memcpy), and the shared-memory all-reduce's bandwidth and latency,
 * expressed as the ring model's link: all-reduce time = 2(N−1)/N · S / B + (N−1) · latency.
 */
export async function calibrate(options: CalibrateOptions = {}): Promise<DeviceProfile> {
  const backend = await initBackend(options.backend ?? "auto");
  const ranks = Math.max(2, options.devices ?? 2);
  const rate = matMulRate();
  const memcpy = memcpyRate();
  const small = await timeAllReduce(ranks, 16, 200);
  const floats = 4 << 20;
  const large = await timeAllReduce(ranks, floats, 5);
  const factor = (2 * (ranks - 1)) / ranks;
  const latency = small / (ranks - 1);
  const bandwidth = (factor * floats * 4) / Math.max(1e-9, large - small);
  return {
    name: "cpu",
    source: `measured by mgpuc calibrate: ${backend.name} backend, ${ranks} worker ranks, ${new Date().toISOString()}`,
    rate: "fp32",
    fp32FlopsPerSecond: Number(rate.toPrecision(3)),
    memoryBytes: 2 ** 31,
    memoryBandwidth: Number(memcpy.toPrecision(3)),
    linkBandwidth: Number(bandwidth.toPrecision(3)),
    linkLatency: Number(latency.toPrecision(3)),
  };
}
