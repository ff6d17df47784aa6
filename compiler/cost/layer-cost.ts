import { shardedLossCollectives } from "../plan/sharded-loss.js";
import { allGatherTime, allReduceTime, reduceScatterTime } from "./collectives.js";
import type { LayerConfig } from "./layer-config.js";
import { computeRate, type DeviceProfile } from "./profile.js";
import { kindUnder, type SplitKind } from "./split-kind.js";
import { groupComputeFactors } from "./straggler.js";

/** What the cost model needs of one layer, per sample, in bytes and FLOPs. */
export interface LayerWork {
  readonly kind: SplitKind;
  /** A `heads` layer's head count: a model degree that does not divide it runs the layer replicated. */
  readonly heads?: number;
  /** `input` layers cost nothing: the loader reads whatever shard a device needs. */
  readonly isInput: boolean;
  /** A view of its input (flatten, reshape): no kernel moves its activations. */
  readonly isView?: boolean;
  readonly flops: number;
  readonly paramBytes: number;
  readonly trainableBytes: number;
  /** Bytes of all inputs per sample. */
  readonly inBytes: number;
  /** Bytes of the output per sample. */
  readonly outBytes: number;
  /** Bytes per sample kept for backward, when more than the output (attention's [heads, T, T] scores). */
  readonly savedBytes?: number;
  /**
   * A softmax output its loss is scored on in blocks under m > 1 (compiler/plan/sharded-loss.ts; priced as if
   * the loss were sparse cross-entropy, which the cost model is not told): positions per sample and classes.
   */
  readonly scored?: { readonly positions: number; readonly classes: number };
}

/** One layer's predicted cost under one configuration, in seconds and bytes per device. */
export interface LayerCost {
  /** Forward + backward (backward ≈ 2 × forward), roofline, + kernel dispatch and weight-gradient traffic. */
  readonly compute: number;
  /** The optimizer update of the device's shard, once per step (not per micro-batch). */
  readonly update: number;
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
): { work: number; params: number; input: number; output: number; saved: number } {
  const all = c.d * c.m;
  if (kind === "contract") return { work: all, params: c.m, input: c.d, output: all, saved: all };
  if (kind === "channel") return { work: all, params: c.m, input: all, output: all, saved: all };
  // Partial sums: every device of a data group holds a whole-width output. Attention keeps mostly per-head
  // tensors (projections, [heads, T, T] scores) for backward: those split m ways.
  if (kind === "row") return { work: all, params: c.m, input: all, output: c.d, saved: c.d };
  if (kind === "heads") return { work: all, params: c.m, input: c.d, output: c.d, saved: all };
  if (kind === "vocab") return { work: all, params: c.m, input: c.d, output: c.d, saved: c.d };
  // Unsplittable with m > 1: the runtime runs it replicated on the whole batch (runtime/plan-exec/stage-layout.ts:
  // slicing its rows over d of the d·m devices would count each row m times in the input's gradient).
  const rows = c.m > 1 ? 1 : c.d;
  return { work: rows, params: 1, input: rows, output: rows, saved: rows };
}

/** Elementwise kernels per weight tensor of an optimizer update with `slots` slots (SGD 2, Adam 14 in tfjs). */
export function updateKernels(slots: number): number {
  return 2 + 6 * slots;
}

/** Weight tensors of a layer with parameters (kernel + bias): each is one optimizer update of its own. */
export const WEIGHTS_PER_LAYER = 2;

/** An optimizer update's kernels over `bytes` of parameters: each reads two such arrays and writes one. */
export function updateTraffic(bytes: number, profile: DeviceProfile, optimizerSlots: number): number {
  const ew = profile.elementwiseBandwidth ?? 0;
  return ew > 0 ? (3 * updateKernels(optimizerSlots) * bytes) / ew : 0;
}

/**
 * Terms beyond the roofline (README "v2 terms"): per (micro-)batch, the layer's dispatch, its activations
 * through forward + backward at the activation bandwidth, and the weight gradient's passes over the parameter
 * shard; per step, the optimizer update (dispatch + reading and writing parameter, gradient and
 * slots). Zero for a profile without the optional fields.
 */
function fixedCosts(
  w: LayerWork,
  activationBytes: number,
  trainableShard: number,
  profile: DeviceProfile,
  optimizerSlots: number,
  forwardPasses: number,
): { perBatch: number; perStep: number } {
  const op = profile.opOverheadSeconds ?? 0;
  const wg = profile.weightGradientBandwidth ?? 0;
  // A recomputed forward dispatches its kernels again: forward ≈ a third of forward + backward.
  const passes = (forwardPasses + 2) / 3;
  const dispatch = passes * (profile.layerOverheadSeconds ?? 0);
  const ab = profile.activationBandwidth ?? 0;
  const activations = ab > 0 && !w.isView ? (passes * activationBytes) / ab : 0;
  if (w.trainableBytes <= 0) return { perBatch: dispatch + activations, perStep: 0 };
  const gradTraffic = wg > 0 ? trainableShard / wg : 0;
  return {
    perBatch: dispatch + activations + gradTraffic,
    perStep:
      WEIGHTS_PER_LAYER * updateKernels(optimizerSlots) * op +
      updateTraffic(trainableShard, profile, optimizerSlots),
  };
}

/**
 * One layer on `batch` samples: compute = 3 · max(flops/rate, bytes/memory bandwidth) on the device's share
 * (4 · with `recompute`) + fixed costs; gradient all-reduce over the d data groups; memory for the device's shard.
 */
export function layerCost(
  w: LayerWork,
  c: LayerConfig,
  batch: number,
  profile: DeviceProfile,
  optimizerSlots: number,
  activationBatch: number = batch,
  recompute = false,
): LayerCost {
  const kind = kindUnder(w.kind, w.heads, c.m);
  const s = shares(kind, c);
  const paramShard = w.paramBytes / s.params;
  const trainableShard = w.trainableBytes / s.params;
  const memory =
    paramShard +
    trainableShard * (1 + optimizerSlots) +
    ((w.savedBytes ?? w.outBytes) * activationBatch) / (w.savedBytes !== undefined ? s.saved : s.output);
  if (w.isInput) return { compute: 0, update: 0, comm: 0, gradAllReduce: 0, memory, gradBytes: 0 };
  const flops = (w.flops * batch) / s.work;
  const bytes = (w.inBytes * batch) / s.input + (w.outBytes * batch) / s.output + paramShard;
  // GPipe's backward re-runs the stage's forward: 4 forward-equivalents instead of 3.
  const passes = recompute ? 2 : 1;
  // A contraction's input goes through its GEMM (the roofline); its output through bias, activation and their
  // gradients, priced at the data share only: a conv's filter gradient (im2col) expands the whole input of
  // every model part, whatever its share of the channels (measured: conv split 2 ways is no faster).
  // Other layers (pooling, normalisation, elementwise) move input and output, on their share.
  const activationBytes =
    kind === "contract" || kind === "row" || kind === "heads" || kind === "vocab"
      ? (w.outBytes * batch) / c.d
      : (w.inBytes * batch) / s.input + (w.outBytes * batch) / s.output;
  const fixed = fixedCosts(w, activationBytes, trainableShard, profile, optimizerSlots, passes);
  const roofline = Math.max(flops / computeRate(profile), bytes / profile.memoryBandwidth);
  const split = c.m > 1 ? passes * (profile.splitLayerOverheadSeconds ?? 0) : 0;
  // The d·m devices compute at once (slower together on shared hardware) and meet at the layer's gathers or
  // the step's all-reduce, where each waits for the slowest.
  const group = groupComputeFactors(profile, c.d * c.m);
  const compute = ((passes + 2) * roofline + fixed.perBatch) * group.compute + split;
  // Row-parallel layers take a channel block: their input gradient is a block, nothing to sum.
  const comm =
    (kind === "contract" || kind === "heads") && c.m > 1
      ? reduceScatterTime((w.inBytes * batch) / c.d, c.m, profile)
      : 0;
  const loss =
    kind === "contract" && c.m > 1 && w.scored !== undefined && w.scored.classes >= c.m
      ? shardedLossTime(batch, w.scored.positions, c, profile)
      : 0;
  // A replicated layer (unsplittable, m > 1) computes the whole batch's gradient on every device: nothing to sum.
  const replicated = kind === "none" && c.m > 1;
  // The d replicas of a shard sit m devices apart: their group spans the layer's d·m devices.
  const gradAllReduce = replicated ? 0 : allReduceTime(trainableShard, c.d, profile, c.d * c.m);
  return {
    compute,
    update: fixed.perStep * group.update,
    comm: comm + loss,
    gradAllReduce,
    memory,
    gradBytes: c.d > 1 && !replicated ? trainableShard : 0,
  };
}

/** The sharded loss's collectives over the layer's d·m devices (one stage: rows placed by data group). */
function shardedLossTime(batch: number, positions: number, c: LayerConfig, profile: DeviceProfile): number {
  return shardedLossCollectives(batch, positions, c.m).reduce(
    (sum, { kind, bytes }) =>
      sum + (kind === "all-gather" ? allGatherTime : allReduceTime)(bytes, c.d * c.m, profile),
    0,
  );
}
