/** A device the cost model plans for, in SI base units (FLOP/s, bytes, bytes/s, seconds). See profiles/README.md. */
export interface DeviceProfile {
  readonly name: string;
  readonly source: string;
  /** Which rate the cost model uses: float32, or the tensor-core rate for a mixed-precision runtime. */
  readonly rate: "fp32" | "tensor";
  readonly fp32FlopsPerSecond: number;
  readonly tensorFlopsPerSecond?: number;
  readonly memoryBytes: number;
  readonly memoryBandwidth: number;
  /** One direction of one link: `B` in the ring collective formulas. */
  readonly linkBandwidth: number;
  /** Seconds per collective step. */
  readonly linkLatency: number;
  /**
   * Optional fixed costs (absent = 0: the v1 formula); see compiler/cost/README.md. Seconds of dispatch per
   * kernel call (launch latency on a GPU, the tfjs op call on CPU): what an optimizer update pays per kernel.
   */
  readonly opOverheadSeconds?: number;
  /** Seconds of one layer's forward + backward on a tiny input: its kernel calls and autodiff bookkeeping. */
  readonly layerOverheadSeconds?: number;
  /**
   * Bytes/s of a layer's input + output through its forward and backward kernels, added to the roofline: on a
   * CPU backend the backward kernels (pooling, activation, im2col gradients) run far below memory bandwidth.
   */
  readonly activationBandwidth?: number;
  /** Bytes/s that unfused elementwise kernels reach: the optimizer update's kernels. */
  readonly elementwiseBandwidth?: number;
  /** Weight bytes/s of a layer's backward beyond its FLOPs: weight gradient written, transposed, read out. */
  readonly weightGradientBandwidth?: number;
  /** Seconds per training step whatever the plan: dispatching the step to the workers, loss, barriers. */
  readonly stepOverheadSeconds?: number;
  /**
   * The same for a plan on one device, where no barrier waits for a slower peer and no gradient is exchanged
   * (absent: `stepOverheadSeconds`). `mgpuc calibrate` measures both.
   */
  readonly singleDeviceStepOverheadSeconds?: number;
  /** Seconds per point-to-point message between pipeline stages, on top of bytes / linkBandwidth. */
  readonly messageLatencySeconds?: number;
  /**
   * Seconds per forward + backward of a layer split over model-parallel devices, beyond its share of the work:
   * the runtime slices its input, gathers its output and copies shards between segments.
   */
  readonly splitLayerOverheadSeconds?: number;
  /**
   * Seconds per layer (forward + backward) of a plan that runs on the plan executor, beyond what the
   * data-parallel engine takes for the same layer: plans that split a layer or have stages run layer by layer
   * (runtime/plan-exec/needs-plan-executor.ts), all-data plans as one function per replica. Charged to every
   * layer of such a plan (`planExecutorOverhead`).
   */
  readonly planExecutorLayerOverheadSeconds?: number;
  /**
   * σ/μ of one device's time for the same work, step to step (dimensionless). Devices that synchronise wait for
   * the slowest, so a group of n computes μ · (1 + jitter · E[max of n standard normals]): ~0 on dedicated
   * GPUs, ~0.15 for worker threads on a shared 2-core VM.
   */
  readonly computeJitter?: number;
  /**
   * A device's compute time while the other devices of its group compute too, over its time alone on the same
   * work (a ratio, ≥ 1; absent: 1). Devices that share one machine's cores, caches and memory bandwidth (worker
   * threads on a CPU) are slower together even when none waits for another: 1.05–1.08 for the forward
   * + backward of two worker threads on the 2-core build VM; ~1 for dedicated GPUs.
   */
  readonly concurrencySlowdown?: number;
  /**
   * The same for the optimizer update (absent: 1): memory-bound elementwise kernels, which slow down more than
   * forward and backward when devices share a memory bus (1.18–1.25 for two worker threads on the build VM).
   */
  readonly concurrencyUpdateSlowdown?: number;
  /**
   * Node topology (optional): devices per node (NVLink domain). A collective whose group spans more devices
   * than a node runs at `interNodeBandwidth` per device (InfiniBand), its steps at `interNodeLatency`; absent,
   * every device is one hop from every other at `linkBandwidth`.
   */
  readonly devicesPerNode?: number;
  readonly interNodeBandwidth?: number;
  readonly interNodeLatency?: number;
}

/** The link a collective over a group of devices spanning `span` consecutive device ids runs on. */
export function linkFor(profile: DeviceProfile, span: number): { bandwidth: number; latency: number } {
  const node = profile.devicesPerNode;
  if (node === undefined || span <= node || profile.interNodeBandwidth === undefined)
    return { bandwidth: profile.linkBandwidth, latency: profile.linkLatency };
  return {
    bandwidth: Math.min(profile.linkBandwidth, profile.interNodeBandwidth),
    latency: Math.max(profile.linkLatency, profile.interNodeLatency ?? profile.linkLatency),
  };
}

/**
 * The optional fixed-cost fields, all seconds, bytes/s or (computeJitter, the concurrency slowdowns) a ratio,
 * all ≥ 0 (the slowdowns ≥ 1).
 */
export const OVERHEAD_FIELDS = [
  "opOverheadSeconds",
  "layerOverheadSeconds",
  "activationBandwidth",
  "elementwiseBandwidth",
  "weightGradientBandwidth",
  "stepOverheadSeconds",
  "singleDeviceStepOverheadSeconds",
  "messageLatencySeconds",
  "splitLayerOverheadSeconds",
  "planExecutorLayerOverheadSeconds",
  "computeJitter",
  "concurrencySlowdown",
  "concurrencyUpdateSlowdown",
] as const;

/** The optional node topology fields: what a datasheet says of the machine, not what calibrate measures. */
export const TOPOLOGY_FIELDS = ["devicesPerNode", "interNodeBandwidth", "interNodeLatency"] as const;

/**
 * What running on the plan executor adds to a step of a graph of `layers` layers (inputs not counted): 0 for a
 * plan the data-parallel engine runs. The runtime's rule (runtime/plan-exec/needs-plan-executor.ts): a plan
 * runs on the executor when some layer is split (model degree > 1) or sits in a stage after the first.
 */
export function planExecutorOverhead(profile: DeviceProfile, layers: number, onExecutor: boolean): number {
  return onExecutor ? layers * (profile.planExecutorLayerOverheadSeconds ?? 0) : 0;
}

/** The fixed cost of one training step of a plan that uses `devices` devices. */
export function stepOverhead(profile: DeviceProfile, devices: number): number {
  const all = profile.stepOverheadSeconds ?? 0;
  return devices === 1 ? (profile.singleDeviceStepOverheadSeconds ?? all) : all;
}

/** The compute rate the roofline uses. */
export function computeRate(profile: DeviceProfile): number {
  return profile.rate === "tensor" && profile.tensorFlopsPerSecond !== undefined
    ? profile.tensorFlopsPerSecond
    : profile.fp32FlopsPerSecond;
}

/** Profiles shipped in `profiles/`, by name. */
export const BUILTIN_PROFILES = ["h100", "a100", "v100", "cpu"] as const;
