import * as tf from "@tensorflow/tfjs";
import { type Collective } from "../collectives/index.js";
import { rewriteTopologyForReplicas, setStepContext } from "../layers/index.js";
import {
  type NamedArray,
  exportOptimizerState,
  importOptimizerState,
  makeOptimizer,
} from "../worker/optimizer.js";
import type { InitMessage } from "./protocol.js";
import { type DataView, gatherRows, viewDataset } from "../worker/shared-dataset.js";
import type { ScoreSums } from "../report/index.js";
import { Scoring } from "../worker/scoring.js";
import { copyFloats, floatViews, readFloats } from "../backend/read-floats.js";
import { shardBounds } from "../worker/shards.js";
import { unpackShared } from "../worker/shared-arrays.js";
import { ShardedUpdate } from "./sharded-update.js";

/** Elements [start, start + out.length) of the concatenation of `segments`, into `out`. */
function copyRange(segments: readonly Float32Array[], start: number, out: Float32Array): void {
  let base = 0;
  const end = start + out.length;
  for (const seg of segments) {
    const lo = Math.max(start, base);
    const hi = Math.min(end, base + seg.length);
    if (lo < hi) out.set(seg.subarray(lo - base, hi - base), lo - start);
    base += seg.length;
    if (base >= end) break;
  }
}

/**
 * One data-parallel replica: its shard of each global batch forward and backward, the gradient SUM (scaled by
 * 1/global batch) all-reduced in buckets together with the loss and metric sums, then the same optimizer step
 * as every other replica. Used by worker threads and, with a LocalCollective, as the 1-device reference.
 */
export class Replica {
  private readonly vars: tf.Variable[];
  private readonly varNames: string[];
  private readonly optimizer: tf.Optimizer;
  private readonly flat: Float32Array;
  /** Where each trainable weight starts in the flat gradient. */
  private readonly offsets: number[];
  /** Where the loss and metric sums start in `flat`, after the gradients. */
  private readonly scoresAt: number;

  private constructor(
    readonly model: tf.LayersModel,
    private readonly collective: Collective,
    private readonly scoring: Scoring,
    private readonly seed: number,
    optimizer: tf.Optimizer,
    private readonly train: DataView,
    private readonly validation: DataView | null,
    /** ZeRO-1's slice of the update, when the optimizer state is sharded; else `optimizer` updates all. */
    private sharded: ShardedUpdate | null = null,
  ) {
    this.vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.varNames = this.vars.map((v) => v.name);
    this.optimizer = optimizer;
    this.scoresAt = this.vars.reduce((n, v) => n + v.size, 0);
    this.flat = new Float32Array(this.scoresAt + scoring.width);
    let at = 0;
    this.offsets = this.vars.map((v) => (at += v.size) - v.size);
  }

  static async create(init: Omit<InitMessage, "layout">, collective: Collective): Promise<Replica> {
    const topology = rewriteTopologyForReplicas(init.topology) as tf.serialization.ConfigDict;
    const model = await tf.models.modelFromJSON({ modelTopology: topology });
    const shapes = model.weights.map((w) => w.shape);
    const initial = unpackShared(init.weights).map((data, i) =>
      tf.tensor(data, shapes[i] as number[], "float32"),
    );
    model.setWeights(initial);
    tf.dispose(initial);
    const optimizer = makeOptimizer(init.optimizer);
    const validation = init.validation === null ? null : viewDataset(init.validation);
    const outputShape = model.outputs[0]!.shape.slice(1) as number[];
    const scoring = new Scoring(init.loss, init.metrics ?? [], outputShape);
    // Labels that cannot fit the output are refused before the first step, with both shapes named.
    for (const data of [init.train, init.validation])
      if (data) scoring.checkLabels(data.labelShape, data.yIsInt);
    const replica = new Replica(
      model,
      collective,
      scoring,
      init.seed,
      optimizer,
      viewDataset(init.train),
      validation,
    );
    const slotData = unpackShared(init.optimizerData);
    const state = init.optimizerSlots.map((slot, i) => ({ ...slot, data: slotData[i]! }));
    if (init.optimizerSharding === "zero-1" && collective.size > 1) {
      replica.sharded = await ShardedUpdate.create(
        replica.vars,
        replica.flat.length,
        collective,
        init.optimizer,
        state,
      );
    } else await importOptimizerState(optimizer, replica.varNames, state);
    return replica;
  }

  /** One optimizer step on the global batch `indices`; returns the global sums of loss and metrics. */
  async step(step: number, indices: ArrayLike<number>): Promise<ScoreSums> {
    const globalBatch = indices.length;
    const [lo, hi] = shardBounds(globalBatch, this.collective.size, this.collective.rank);
    setStepContext({ collective: this.collective, step, globalBatch, shardOffset: lo, seed: this.seed });
    const flat = this.flat;
    // Each gradient is read once and copied straight into the shared bucket, then read back from it in place.
    const outputs = tf.tidy(() => {
      const [x, y] = gatherRows(this.train, indices, lo, hi);
      let sums: tf.Tensor | null = null;
      const { grads } = tf.variableGrads(() => {
        const pred = this.model.apply(x, { training: true }) as tf.Tensor;
        const { loss, metrics } = this.scoring.perSample(y, pred);
        sums = tf.keep(tf.stack([loss, ...metrics].map((t) => tf.sum(t))));
        return tf.div(tf.sum(loss), globalBatch) as tf.Scalar;
      }, this.vars);
      return [...this.vars.map((v) => grads[v.name]!), sums!];
    });
    // Read straight from the backend's memory where it can: fresh views for each bucket, since making the
    // summed gradients' tensors (takeSums) may move wasm's heap. The tensors live until every bucket is read.
    const segments = await floatViews(outputs);
    if (this.sharded !== null) {
      try {
        return await this.shardedStep(segments, globalBatch);
      } finally {
        tf.dispose(outputs);
      }
    }
    const named: tf.NamedTensorMap = {};
    try {
      this.collective.allReduceSumWith(
        flat.length,
        (slot, start) => copyRange(segments(), start, slot),
        (sum, start) => this.takeSums(sum, start, named),
      );
    } finally {
      tf.dispose(outputs);
    }
    this.vars.forEach((v, i) => {
      const at = this.offsets[i]!;
      named[v.name] ??= tf.tensor(flat.subarray(at, at + v.size), v.shape, "float32");
    });
    this.optimizer.applyGradients(named);
    tf.dispose(Object.values(named));
    return this.scores(flat.subarray(this.scoresAt), globalBatch);
  }

  /**
   * ZeRO-1's step: the gradient sums reduce-scattered into `flat` (this replica's elements only), its slice
   * updated there, and every replica's updated slice all-gathered into `flat` and the weights. The loss and
   * metric sums ride along in the same two collectives, after the weights.
   */
  private async shardedStep(segments: () => Float32Array[], globalBatch: number): Promise<ScoreSums> {
    const flat = this.flat;
    const length = flat.length;
    this.collective.reduceScatterSumWith(
      length,
      (slot, start) => copyRange(segments(), start, slot),
      (sum, start) => flat.set(sum, start),
    );
    await this.sharded!.apply(flat);
    this.collective.allGatherWith(
      length,
      (part, start) => part.set(flat.subarray(start, start + part.length)),
      (all, start) => flat.set(all, start),
    );
    // wasm copies a new tensor's values into its own heap at once, so the weights are made straight from
    // `flat`. Other backends get a copy: the cpu backend would keep `flat` itself as the variable's storage, and
    // WebGPU may upload it later. A new array per weight per step made the seed CNN's 2-device ZeRO-1 step
    // 78–81 ms against 67–68 replicated (the memory it churned, collected); without them 65–71 against 69–71.
    const copied = tf.getBackend() === "wasm";
    this.vars.forEach((v, i) => {
      const at = this.offsets[i]!;
      const values = copied ? flat.subarray(at, at + v.size) : flat.slice(at, at + v.size);
      const value = tf.tensor(values, v.shape, "float32");
      v.assign(value);
      value.dispose();
    });
    return this.scores(flat.subarray(this.scoresAt), globalBatch);
  }

  private scores(sums: ArrayLike<number>, rows: number): ScoreSums {
    return {
      lossSum: sums[0]!,
      metricSums: Array.from({ length: this.scoring.width - 1 }, (_, i) => sums[i + 1]!),
      rows,
    };
  }

  /**
   * Consumes one summed bucket in place: a gradient wholly inside it becomes a tensor straight from the shared
   * memory; the pieces of gradients that straddle buckets, and the metric sums, are collected in `flat`.
   */
  private takeSums(sum: Float32Array, start: number, named: tf.NamedTensorMap): void {
    const end = start + sum.length;
    this.vars.forEach((v, i) => {
      const lo = this.offsets[i]!;
      const hi = lo + v.size;
      if (lo >= start && hi <= end)
        named[v.name] = tf.tensor(sum.subarray(lo - start, hi - start), v.shape, "float32");
      else if (lo < end && hi > start) {
        this.flat.set(
          sum.subarray(Math.max(lo, start) - start, Math.min(hi, end) - start),
          Math.max(lo, start),
        );
      }
    });
    const scores = this.scoresAt;
    if (end > scores) this.flat.set(sum.subarray(Math.max(scores, start) - start), Math.max(scores, start));
  }

  /** Loss and metric sums over the whole validation set, each replica taking a contiguous share. */
  async evaluate(batch: number): Promise<ScoreSums> {
    const data = this.validation;
    const sums = new Float32Array(this.scoring.width);
    if (data === null) return this.scores(sums, 0);
    const [lo, hi] = shardBounds(data.count, this.collective.size, this.collective.rank);
    for (let start = lo; start < hi; start += batch) {
      const batchSums = tf.tidy(() => {
        const [x, y] = gatherRows(data, null, start, Math.min(hi, start + batch));
        return this.scoring.sumsTensor(y, this.model.predict(x) as tf.Tensor);
      });
      const [values] = await readFloats([batchSums]);
      batchSums.dispose();
      values!.forEach((s, i) => (sums[i]! += s));
    }
    this.collective.allReduceSum(sums);
    return this.scores(sums, data.count);
  }

  async state(): Promise<{ weights: Float32Array[]; optimizerState: NamedArray[] }> {
    const optimizerState =
      this.sharded !== null
        ? await this.sharded.exportState()
        : await exportOptimizerState(this.optimizer, this.varNames);
    const weights = await copyFloats(this.model.getWeights());
    return { weights, optimizerState };
  }
}
