import type { CostTable } from "../cost/estimate-cost.js";
import { allGatherTime, reduceScatterTime } from "../cost/collectives.js";
import { WEIGHTS_PER_LAYER, updateKernels, updateTraffic } from "../cost/layer-cost.js";
import { groupComputeFactors } from "../cost/straggler.js";

/**
 * ZeRO-1 as a data-parallel variant (runtime/train/sharded-update.ts): the optimizer state and update split
 * 1/N over N replicas. Per layer with weights, priced against the plain replica:
 * - the gradients' ring all-reduce becomes a reduce-scatter plus an all-gather of the updated weights (the
 *   same bytes; one more latency);
 * - the update's traffic is the replica's 1/N of the parameters; its kernels run once per step over one flat
 *   slice instead of once per weight tensor, and each weight tensor is re-made from the gathered values
 *   (two kernel calls: a tensor and an assign);
 * - optimizer state per device is 1/N of the layer's.
 * Only all-data plans on more than one device get it (the data-parallel engine runs it; a split layer's
 * shard already divides its optimizer state).
 *
 * `auto` shards only to fit memory, not for speed. Measured on the seed CNN (2 threads, wasm), the priced
 * savings are real (reduce-scatter + 1/2 update + all-gather + re-made weights took ~20 ms against ~25 ms
 * for all-reduce + update), but forward + backward used to run ~8–10 ms slower: the runtime re-made each weight
 * from a new copy of the gathered values every step, and collecting that memory cost more than was saved. It
 * now makes them straight from the gathered vector on wasm, and the ZeRO-1 step is ~4 ms faster than the
 * replicated one (bench/results/history.md). Choosing it for speed is the next step; until then a plan is
 * ZeRO-1 when the replicated state does not fit or when asked (`optimizerSharding: "zero-1"`).
 */
export interface ZeroOnePrice<L extends LayerShare> {
  readonly stepTime: number;
  readonly memoryPerDevice: readonly number[];
  /** Per layer, the plain breakdown with its compute, comm and memory repriced. */
  readonly perLayer: readonly L[];
}

/** A layer's share of a step (seconds) and its memory per device (bytes). */
interface LayerShare {
  readonly compute: number;
  readonly comm: number;
  readonly memory: number;
}

/** Kernel calls to re-make one weight tensor from the gathered values: the tensor and the variable's assign. */
const REASSIGN_CALLS = 2;

/** The ZeRO-1 price of `assignment`, or undefined when it is not an all-data plan on more than one device. */
export function priceZeroOne<L extends LayerShare>(
  table: CostTable,
  assignment: readonly number[],
  plain: { readonly stepTime: number; readonly perLayer: readonly L[] },
): ZeroOnePrice<L> | undefined {
  const n = table.devices;
  if (n <= 1 || !assignment.every((k) => table.configs[k]!.d === n && table.configs[k]!.m === 1))
    return undefined;
  const { profile, optimizerSlots } = table;
  const op = profile.opOverheadSeconds ?? 0;
  const straggler = groupComputeFactors(profile, n).update;
  let stepTime = plain.stepTime;
  let lastTrainable = -1;
  const perLayer = plain.perLayer.map((b, v): L => {
    const c = table.layer[v]![assignment[v]!]!;
    const bytes = table.work[v]!.trainableBytes;
    if (bytes <= 0) return b;
    lastTrainable = v;
    const update =
      (updateTraffic(bytes / n, profile, optimizerSlots) + WEIGHTS_PER_LAYER * REASSIGN_CALLS * op) *
      straggler;
    const exchange = reduceScatterTime(bytes, n, profile) + allGatherTime(bytes, n, profile);
    const compute = b.compute - c.update + update;
    const comm = b.comm - c.gradAllReduce + exchange;
    stepTime += compute - b.compute + comm - b.comm;
    return { ...b, compute, comm, memory: b.memory - (bytes * optimizerSlots * (n - 1)) / n };
  });
  if (lastTrainable < 0) return undefined;
  // The one flat update's kernel calls, charged to the last layer with weights.
  const flat = updateKernels(optimizerSlots) * op * straggler;
  const last = perLayer[lastTrainable]!;
  perLayer[lastTrainable] = { ...last, compute: last.compute + flat };
  stepTime += flat;
  const memory = perLayer.reduce((sum, b) => sum + b.memory, 0);
  return { stepTime, memoryPerDevice: new Array<number>(n).fill(memory), perLayer };
}
