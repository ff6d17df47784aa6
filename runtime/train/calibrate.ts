import { probeWebgpu, realAdapters } from "../backend/webgpu-adapters.js";
import type { BackendPreference } from "../backend/init-backend.js";
import { initBackend } from "../backend/index.js";
import { createSharedLayout } from "../collectives/index.js";
import { type RankJob, runRank } from "../collectives/rank-worker.js";
import { startWorker } from "../devices/index.js";
import { type PlanProbe, planExecutorOverheads } from "../plan-exec/split-overhead.js";
import { lockstepCosts } from "./lockstep.js";
import { type CalibrationEffort, FULL_EFFORT, QUICK_EFFORT } from "./calibration-effort.js";
import {
  activationRate,
  elementwiseRate,
  messageOverhead,
  layerOverhead,
  matMulRate,
  opOverhead,
  tinyStepTime,
  weightGradientRate,
} from "./fixed-costs.js";

export interface CalibrateOptions {
  /** Ranks for the all-reduce measurement; default 2. */
  readonly devices?: number;
  /** `webgpu`: compute figures on this process's adapter, step figures on WebGPU device processes. */
  readonly backend?: BackendPreference;
  /** Compiles the split probe (cli/plan-probe.ts): the runtime does not compile model text itself. */
  readonly planProbe: PlanProbe;
  /**
   * The quick form (at most 10 s; `train`'s first use on a machine, cli/machine-profile.ts): shorter
   * measurements, and figures that need worker groups of their own not measured: the plan executor's per-layer
   * and model-split layer overheads are taken from `unmeasured` (the shipped profile's), and a layer inside the
   * runtime's step costs what it costs alone.
   */
  readonly quick?: { readonly unmeasured: UnmeasuredInQuickForm };
}

/** What the quick form does not measure (see `CalibrateOptions.quick`). */
export interface UnmeasuredInQuickForm {
  readonly splitLayerOverheadSeconds: number;
  readonly planExecutorLayerOverheadSeconds: number;
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
  readonly opOverheadSeconds: number;
  readonly layerOverheadSeconds: number;
  readonly activationBandwidth: number;
  readonly elementwiseBandwidth: number;
  readonly weightGradientBandwidth: number;
  readonly stepOverheadSeconds: number;
  readonly singleDeviceStepOverheadSeconds: number;
  readonly messageLatencySeconds: number;
  readonly splitLayerOverheadSeconds: number;
  readonly planExecutorLayerOverheadSeconds: number;
  readonly computeJitter: number;
  readonly concurrencySlowdown: number;
  readonly concurrencyUpdateSlowdown: number;
}

/** Single-thread memcpy bandwidth (bytes/s) of the fastest of `repeats` copies: the all-reduce's yardstick. */
export function memcpyRate(bytes = 32 << 20, repeats = 10): number {
  const src = new Float32Array(bytes / 4).fill(1);
  const dst = new Float32Array(bytes / 4);
  dst.set(src);
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    dst.set(src);
    best = Math.min(best, performance.now() - t0);
  }
  return bytes / (best / 1000);
}

/** Seconds per all-reduce: the fastest repeat (the least disturbed by other load) and the mean. */
export interface AllReduceTiming {
  readonly best: number;
  readonly mean: number;
}

/**
 * Times all-reduce of `floats` floats over `ranks` ranks (rank 0 here, the others in worker threads),
 * `repeats` times after one warm-up; `form` `in-place` times the trainer's form (`allReduceSumWith`: inputs
 * copied into the shared buckets, sums read where they lie) instead of `allReduceSum` (private array in and
 * out; `true` is the same), `reduce-scatter` and `all-gather` each half of it on its own, in the same way.
 */
export async function timeAllReduce(
  ranks: number,
  floats: number,
  repeats: number,
  form: boolean | "in-place" | "reduce-scatter" | "all-gather" = false,
): Promise<AllReduceTiming> {
  const layout = createSharedLayout(ranks, Math.min(floats, 1 << 22));
  const mode: RankJob["mode"] =
    form === false ? "time" : form === true || form === "in-place" ? "time-in-place" : `time-${form}`;
  const job = (rank: number): RankJob => ({ layout, rank, mode, lengths: [floats], repeats: repeats + 1 });
  const workers = Array.from({ length: ranks - 1 }, (_, i) => {
    const worker = startWorker(import.meta.url, "../collectives/rank-worker", { workerData: job(i + 1) });
    return new Promise<void>((resolve, reject) => {
      worker.on("error", reject);
      worker.on("exit", () => resolve());
    });
  });
  const times = Array.from(runRank(job(0))[0]!).slice(1);
  await Promise.all(workers);
  return { best: Math.min(...times), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

/** The adapters WebGPU device processes are pinned to: the real GPUs, else whatever adapter there is. */
async function webgpuAdapterNames(): Promise<string[]> {
  const probe = await probeWebgpu();
  const real = realAdapters(probe);
  return (real.length > 0 ? real : probe.adapters).map((a) => a.name);
}

/**
 * Measures this machine into a device profile for the cost model: the chosen backend's matMul rate in one
 * thread (= one device), memory bandwidth (memcpy), and the shared-memory all-reduce's bandwidth and latency,
 * expressed as the ring model's link: all-reduce time = 2(N−1)/N · S / B + (N−1) · latency; then the fixed
 * costs (compiler/cost/README.md): per kernel, per layer, elementwise bandwidth, per step, per message; the
 * devices' lockstep jitter and slowdown together; last, the plan executor's split-layer overhead from a probe run on the runtime.
 */
export async function calibrate(options: CalibrateOptions): Promise<DeviceProfile> {
  const quick = options.quick?.unmeasured;
  const effort: CalibrationEffort = quick ? QUICK_EFFORT : FULL_EFFORT;
  const backend = await initBackend(options.backend ?? "auto");
  const ranks = Math.max(2, options.devices ?? 2);
  const rate = await matMulRate(effort);
  // Copies and all-reduces as large in the quick form: smaller ones stay in the caches and measure them instead.
  const memcpy = memcpyRate();
  const small = (await timeAllReduce(ranks, 16, effort.allReduceRepeats * 40)).best;
  const floats = 4 << 20;
  const large = (await timeAllReduce(ranks, floats, effort.allReduceRepeats)).best;
  const factor = (2 * (ranks - 1)) / ranks;
  const latency = small / (ranks - 1);
  const bandwidth = (factor * floats * 4) / Math.max(1e-9, large - small);
  // Once unmeasured first: V8 optimises tfjs's dispatch and autodiff paths over the first calls of each, and
  // the runs these figures predict are warm (measured: a tiny layer 0.9 ms on the first pass, 0.2–0.3 after).
  await opOverhead(effort);
  const warmLayer = await layerOverhead(effort);
  // The quick form leaves the conv path's warm-up to its own timing's (0.9 s less).
  if (!quick) await activationRate(warmLayer, effort);
  const op = await opOverhead(effort);
  const isolated = await layerOverhead(effort);
  const message = (await messageOverhead(effort)) + latency;
  const elementwise = await elementwiseRate(effort);
  const weightGradient = await weightGradientRate(isolated, effort);
  const activation = await activationRate(isolated, effort);
  const device = options.backend ?? "auto";
  const lockstep = await lockstepCosts(ranks, device, effort);
  const adapters = device === "webgpu" ? await webgpuAdapterNames() : [];
  // Inside the runtime's step a layer costs more than alone (per-weight gradient read-out, bucket copies,
  // tensors re-made for the update): the extra layers of an 8-layer tiny model say how much, Adam included.
  const tiny = await tinyStepTime(ranks, device, 1, adapters, effort);
  const eight = quick ? undefined : await tinyStepTime(ranks, device, 8, adapters, effort);
  const perLayer = eight === undefined ? 0 : Math.max(0, (eight - tiny) / 7);
  const update = 2 * 14 * op;
  const layer = Math.max(isolated, perLayer - update);
  const stepOverhead = Math.max(0, tiny - layer - update - latency);
  // One device alone waits for no peer and exchanges nothing: its step's fixed cost, measured on its own.
  const single = Math.max(
    0,
    (await tinyStepTime(1, device, 1, adapters.slice(0, 1), effort)) - layer - update,
  );
  const round = (x: number) => Number(x.toPrecision(3));
  const measured = {
    name: device === "webgpu" ? "webgpu" : "cpu",
    source:
      `measured by mgpuc calibrate${quick ? " --quick (plan executor overheads not measured)" : ""}: ` +
      `${backend.name} backend, ${ranks} worker ranks, ${new Date().toISOString()}`,
    rate: "fp32",
    fp32FlopsPerSecond: Number(rate.toPrecision(3)),
    memoryBytes: 2 ** 31,
    memoryBandwidth: Number(memcpy.toPrecision(3)),
    linkBandwidth: Number(bandwidth.toPrecision(3)),
    linkLatency: round(latency),
    opOverheadSeconds: round(op),
    layerOverheadSeconds: round(layer),
    activationBandwidth: round(activation),
    elementwiseBandwidth: round(elementwise),
    weightGradientBandwidth: round(weightGradient),
    stepOverheadSeconds: round(stepOverhead),
    singleDeviceStepOverheadSeconds: round(single),
    messageLatencySeconds: round(message),
    computeJitter: round(lockstep.jitter),
    concurrencySlowdown: round(lockstep.slowdown),
    concurrencyUpdateSlowdown: round(lockstep.updateSlowdown),
  } as const;
  // Last, with everything else known, what only the plan executor shows: per layer, running layer by layer; per
  // model-split layer, its slicing, gathers and the waits at their collectives; from a probe trained on the
  // runtime itself.
  const executor = quick
    ? {
        executorLayer: quick.planExecutorLayerOverheadSeconds,
        splitLayer: quick.splitLayerOverheadSeconds,
      }
    : await planExecutorOverheads(measured, ranks, device, options.planProbe, adapters, effort);
  return {
    ...measured,
    splitLayerOverheadSeconds: round(executor.splitLayer),
    planExecutorLayerOverheadSeconds: round(executor.executorLayer),
  };
}
