import { allReduceTime, reduceScatterTime } from "./collectives.js";
import type { LayerConfig } from "./layer-config.js";
import { computeRate, type DeviceProfile } from "./profile.js";
import type { SplitKind } from "./split-kind.js";

/** What the cost model needs of one layer, per sample, in bytes and FLOPs. */
export interface LayerWork {
  readonly kind: SplitKind;
  /** `input` layers cost nothing: the loader reads whatever shard a device needs. */
  readonly isInput: boolean;
  readonly flops: number;
  readonly paramBytes: number;
  readonly trainableBytes: number;
  /** Bytes of all inputs per sample. */
  readonly inBytes: number;
  /** Bytes of the output per sample. */
  readonly outBytes: number;
}

/** One layer's predicted cost under one configuration, in seconds and bytes per device. */
export interface LayerCost {
  /** Forward + backward (backward ≈ 2 × forward), roofline. */
  readonly compute: number;
  /** Communication inside the layer: the input gradient's partial sums reduced across the model group. */
  readonly comm: number;
  /** Ring all-reduce of the gradients of parameters replicated over the d data groups. */
  readonly gradAllReduce: number;
  /** Parameters + gradients + optimizer state of the device's shard + the output kept for backward. */
  readonly memory: number;
  /** Bytes of gradients all-reduced (for explanations). */
  readonly gradBytes: number;
}

/** The factors one configuration divides a layer's flops, parameters, input and output by. */
export function shares(
  kind: SplitKind,
  c: LayerConfig,
): { work: number; params: number; input: number; output: number } {
  if (kind === "contract") return { work: c.d * c.m, params: c.m, input: c.d, output: c.d * c.m };
  if (kind === "channel") return { work: c.d * c.m, params: c.m, input: c.d * c.m, output: c.d * c.m };
  return { work: c.d, params: 1, input: c.d, output: c.d };
}

/**
 * The v1 formula for one layer on `batch` samples: compute = 3 · max(flops/rate, bytes/memory bandwidth) on the
 * device's share; gradient all-reduce over the d data groups; memory for the device's shard.
 */
export function layerCost(
  w: LayerWork,
  c: LayerConfig,
  batch: number,
  profile: DeviceProfile,
  optimizerSlots: number,
  activationBatch: number = batch,
): LayerCost {
  const s = shares(w.kind, c);
  const paramShard = w.paramBytes / s.params;
  const trainableShard = w.trainableBytes / s.params;
  const memory =
    paramShard + trainableShard * (1 + optimizerSlots) + (w.outBytes * activationBatch) / s.output;
  if (w.isInput) return { compute: 0, comm: 0, gradAllReduce: 0, memory, gradBytes: 0 };
  const flops = (w.flops * batch) / s.work;
  const bytes = (w.inBytes * batch) / s.input + (w.outBytes * batch) / s.output + paramShard;
  const compute = 3 * Math.max(flops / computeRate(profile), bytes / profile.memoryBandwidth);
  const comm =
    w.kind === "contract" && c.m > 1 ? reduceScatterTime((w.inBytes * batch) / c.d, c.m, profile) : 0;
  const gradAllReduce = allReduceTime(trainableShard, c.d, profile);
  return { compute, comm, gradAllReduce, memory, gradBytes: c.d > 1 ? trainableShard : 0 };
}
