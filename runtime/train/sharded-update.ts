import * as tf from "@tensorflow/tfjs";
import type { Optimizer } from "../../compiler/ir/config.js";
import type { Collective } from "../collectives/index.js";
import { readFloats } from "../backend/read-floats.js";
import {
  type NamedArray,
  exportOptimizerState,
  importOptimizerState,
  makeOptimizer,
} from "../worker/optimizer.js";

/** A checkpoint's per-weight optimizer slot: `w3/m` is slot `m` of trainable weight 3. */
const SLOT_NAME = /^w(\d+)\/(.+)$/;

/**
 * ZeRO-1 (Rajbhandari et al. 2020, stage 1) for a data-parallel replica: the optimizer state and update are
 * split 1/N over the replicas. The gradients are reduce-scattered instead of all-reduced; each replica runs
 * the optimizer on the elements of the flat parameter vector it owns (one tfjs variable, its slice), and the
 * updated slices are all-gathered back into every replica's weights.
 *
 * The flat vector is the trainable weights' concatenation (in `trainableWeights` order) followed by the step's
 * loss and metric sums, `length` floats in all; which elements a replica owns is the collective's
 * `ownedRanges(length)`. Every optimizer here (SGD, momentum, Adam, RMSprop, Adagrad) is elementwise, so
 * updating a slice computes, element for element, what the 1-device update computes: the weights equal 1
 * device's up to the gradient sums' rounding, as plain data parallelism's do.
 */
export class ShardedUpdate {
  /** This replica's ranges of the flat vector clipped to the weights (the sums after them are not updated). */
  private readonly ranges: Array<[number, number]>;
  private readonly sliceLength: number;

  private constructor(
    private readonly collective: Collective,
    private readonly length: number,
    private readonly sizes: readonly number[],
    private readonly shapes: readonly (readonly number[])[],
    private readonly slice: tf.Variable,
    private readonly optimizer: tf.Optimizer,
    ranges: Array<[number, number]>,
  ) {
    this.ranges = ranges;
    this.sliceLength = ranges.reduce((n, [lo, hi]) => n + hi - lo, 0);
  }

  /**
   * `vars`: the replica's trainable weights, equal on every replica; `length`: the flat vector's length
   * (weights + sums); `state`: a 1-device optimizer state to continue from (`exportOptimizerState`'s names).
   */
  static async create(
    vars: readonly tf.Variable[],
    length: number,
    collective: Collective,
    config: Optimizer,
    state: readonly NamedArray[],
  ): Promise<ShardedUpdate> {
    const sizes = vars.map((v) => v.size);
    const weights = sizes.reduce((a, b) => a + b, 0);
    const ranges = collective
      .ownedRanges(length)
      .map(([lo, hi]): [number, number] => [lo, Math.min(hi, weights)])
      .filter(([lo, hi]) => lo < hi);
    const flat = concat(await readFloats(vars), weights);
    const slice = tf.variable(tf.tensor1d(pick(flat, ranges)), true);
    const update = new ShardedUpdate(
      collective,
      length,
      sizes,
      vars.map((v) => v.shape),
      slice,
      makeOptimizer(config),
      ranges,
    );
    await importOptimizerState(update.optimizer, [slice.name], update.sliceState(state, weights));
    return update;
  }

  /**
   * One optimizer step on this replica's slice: reads its summed gradients from `flat` (the owned elements
   * `reduceScatterSumWith` left there) and writes the updated weights over them, ready to be all-gathered.
   */
  async apply(flat: Float32Array): Promise<void> {
    if (this.sliceLength === 0) return;
    const gradient = tf.tensor1d(pick(flat, this.ranges));
    this.optimizer.applyGradients({ [this.slice.name]: gradient });
    gradient.dispose();
    const [updated] = await readFloats([this.slice]);
    place(updated!, this.ranges, flat);
  }

  /**
   * The whole optimizer state in the 1-device layout (`w3/m` per trainable weight, in tfjs's order), every
   * slot all-gathered: every replica must call it, in the same order.
   */
  async exportState(): Promise<NamedArray[]> {
    const out: NamedArray[] = [];
    for (const entry of await exportOptimizerState(this.optimizer, [this.slice.name])) {
      const slot = /^w0\/(.+)$/.exec(entry.name)?.[1];
      if (slot === undefined) {
        out.push(entry);
        continue;
      }
      const whole = new Float32Array(this.length);
      const mine = spread(entry.data, this.ranges, this.length);
      this.collective.allGatherWith(
        this.length,
        (part, start) => part.set(mine.subarray(start, start + part.length)),
        (all, start) => whole.set(all, start),
      );
      let at = 0;
      this.sizes.forEach((size, i) => {
        out.push({ name: `w${i}/${slot}`, shape: this.shapes[i]!, data: whole.slice(at, at + size) });
        at += size;
      });
    }
    return out;
  }

  /** A 1-device state cut to this replica's slice: the per-weight slots (`w3/m`) joined into one flat `m`, then this slice of it. */
  private sliceState(state: readonly NamedArray[], weights: number): NamedArray[] {
    const slots = new Map<string, Float32Array>();
    const out: NamedArray[] = [];
    const offsets: number[] = [];
    this.sizes.reduce((at, size) => (offsets.push(at), at + size), 0);
    for (const entry of state) {
      const m = SLOT_NAME.exec(entry.name);
      if (m === null) {
        out.push(entry);
        continue;
      }
      const [, index, slot] = m;
      let flat = slots.get(slot!);
      if (flat === undefined) {
        flat = new Float32Array(weights);
        slots.set(slot!, flat);
      }
      flat.set(entry.data, offsets[Number(index)]!);
    }
    for (const [slot, flat] of slots)
      out.push({ name: `w0/${slot}`, shape: [this.sliceLength], data: pick(flat, this.ranges) });
    return out;
  }
}

function concat(parts: readonly Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The elements of `flat` in `ranges`, one after another. */
function pick(flat: Float32Array, ranges: ReadonlyArray<[number, number]>): Float32Array {
  const out = new Float32Array(ranges.reduce((n, [lo, hi]) => n + hi - lo, 0));
  let at = 0;
  for (const [lo, hi] of ranges) {
    out.set(flat.subarray(lo, hi), at);
    at += hi - lo;
  }
  return out;
}

/** `pick`'s inverse: the slice's elements written back into `flat` at their ranges. */
function place(slice: Float32Array, ranges: ReadonlyArray<[number, number]>, flat: Float32Array): void {
  let at = 0;
  for (const [lo, hi] of ranges) {
    flat.set(slice.subarray(at, at + hi - lo), lo);
    at += hi - lo;
  }
}

function spread(slice: Float32Array, ranges: ReadonlyArray<[number, number]>, length: number): Float32Array {
  const flat = new Float32Array(length);
  place(slice, ranges, flat);
  return flat;
}
