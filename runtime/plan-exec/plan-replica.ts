import * as tf from "@tensorflow/tfjs";
import type { Collective } from "../collectives/index.js";
import { type NamedArray, importOptimizerState, makeOptimizer } from "../worker/optimizer.js";
import { unpackShared } from "../worker/shared-arrays.js";
import { viewDataset } from "../worker/shared-dataset.js";
import { pieceSizes } from "./weight-shards.js";
import type { PointToPoint } from "./mailbox.js";
import { type SlotShard, exportSlotShards } from "./optimizer-shards.js";
import type { HeldFloats, LayerShard, PlanInit } from "./protocol.js";
import { reportsLayer } from "./stage-layout.js";
import { StageRunner } from "./stage-runner.js";
import { opByOpGradients } from "./op-by-op-gradients.js";
import { copyFloats, readFloats, readsSync } from "../backend/read-floats.js";

/** What a replica needs of the init message (the transport's own parts are the caller's). */
export type ReplicaInit = Omit<PlanInit, "type" | "stageLayout" | "mailbox">;

/**
 * A device's whole part of a plan: its stage's layers (shards only), its optimizer over those, and the step:
 * gradients over the micro-batches, the all-reduce of row-sliced (data-parallel) layers' gradients among the
 * devices holding the same shard, then the optimizer step, elementwise, so a shard's update is the slice of
 * the whole tensor's.
 */
export class PlanReplica {
  private readonly optimizer: tf.Optimizer;
  /** For each trainable variable: [offset of this device's shard in the stage-wide buffer, buffer length]. */
  private readonly reduced: ({ offset: number; variable: tf.Variable } | null)[];
  private readonly reduceLength: number;

  private readonly runner: StageRunner;

  constructor(
    private readonly init: ReplicaInit,
    private readonly collective: Collective,
    mailbox: PointToPoint,
  ) {
    const runner = new StageRunner({
      device: init.device,
      plan: init.plan,
      collective,
      mailbox,
      loss: init.loss,
      metrics: init.metrics,
      seed: init.seed,
      train: viewDataset(init.train),
    });
    this.runner = runner;
    const data = unpackShared(init.weights);
    let k = 0;
    for (const h of runner.held) {
      if (h.layer === null) continue;
      const tensors = h.layer.weights.map((w) => tf.tensor(data[k++]!, w.shape as number[], "float32"));
      h.layer.setWeights(tensors);
      tf.dispose(tensors);
    }
    this.optimizer = makeOptimizer(init.optimizer);
    let length = 0;
    // Owners are listed in held order, one per trainable variable.
    const owners = init.owners;
    let v = 0;
    this.reduced = runner.held.flatMap((h) =>
      (h.layer?.trainableWeights ?? []).map((w) => {
        const owner = owners[v++]!;
        if (!h.role.rowSliced) return null;
        const variable = w.read() as tf.Variable;
        // The buffer holds every shard of the weight, shard k after shards 0..k−1: summing over the stage
        // adds exactly the devices that hold the same shard.
        const sizes =
          owner.axis === null ? [variable.size] : pieceSizes(owner.shape, { ...owner, onlyFirst: false });
        const before = sizes.slice(0, owner.axis === null ? 0 : owner.index).reduce((a, b) => a + b, 0);
        const entry = { offset: length + before, variable };
        length += sizes.reduce((a, b) => a + b, 0);
        return entry;
      }),
    );
    this.reduceLength = length;
  }

  async step(
    step: number,
    indices: Uint32Array,
  ): Promise<{ lossSum: number; metricSums: number[]; rows: number }> {
    const vars = this.runner.vars;
    const grads = vars.map((v) => tf.zeros(v.shape));
    const sums = readsSync()
      ? this.runner.gradients(step, indices, grads)
      : await opByOpGradients(this.runner, step, indices, grads);
    if (this.reduceLength > 0) {
      const buffer = new Float32Array(this.reduceLength);
      const sliced = this.reduced.flatMap((r, i) => (r === null ? [] : [[r, grads[i]!] as const]));
      const data = await readFloats(sliced.map(([, g]) => g));
      sliced.forEach(([r], k) => buffer.set(data[k]!, r.offset));
      this.collective.allReduceSum(buffer);
      this.reduced.forEach((r, i) => {
        if (r === null) return;
        grads[i]!.dispose();
        grads[i] = tf.tensor(
          buffer.subarray(r.offset, r.offset + r.variable.size),
          r.variable.shape,
          "float32",
        );
      });
    }
    const named: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (named[v.name] = grads[i]!));
    if (vars.length > 0) this.optimizer.applyGradients(named);
    tf.dispose(grads);
    return { ...sums, rows: indices.length };
  }

  /** This device's layers for the 1-device checkpoint: one copy of each shard (data index 0, stage rank 0). */
  async shards(): Promise<LayerShard[]> {
    const out: LayerShard[] = [];
    for (const h of this.runner.held) {
      if (h.layer === null || h.layer.weights.length === 0) continue;
      const { role } = h;
      if (!reportsLayer(role, this.runner.stageRank)) continue;
      const weights = await copyFloats(h.layer.getWeights());
      out.push({
        layer: role.layer.name,
        index: role.sharded ? role.modelIndex : 0,
        of: role.sharded ? role.modelDegree : 1,
        weights,
      });
    }
    return out;
  }

  /** Loads this device's slice of a 1-device optimizer state (a resumed run). */
  async restore(): Promise<void> {
    const data = unpackShared(this.init.optimizerData);
    const state = this.init.optimizerSlots.map((slot, i) => ({ ...slot, data: data[i]! }));
    await importOptimizerState(
      this.optimizer,
      this.runner.vars.map((v) => v.name),
      state,
    );
  }

  /** The optimizer slots of the variables this device reports, by model weight index. */
  optimizerShards(): Promise<{ iterations: NamedArray | null; slots: SlotShard[] }> {
    return exportSlotShards(this.optimizer, this.runner.vars, this.init.owners);
  }

  async held(): Promise<HeldFloats> {
    const params = this.runner.held.reduce(
      (n, h) => n + (h.layer?.weights ?? []).reduce((s, w) => s + w.read().size, 0),
      0,
    );
    const slots = await this.optimizer.getWeights();
    const optimizer = slots.filter((s) => s.name !== "iter").reduce((n, s) => n + s.tensor.size, 0);
    // The slots are the optimizer's own variables (only the iteration count is a fresh tensor): not disposed.
    return { device: this.init.device, params, optimizer };
  }
}
