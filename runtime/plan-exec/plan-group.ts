import * as tf from "@tensorflow/tfjs";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import { type SharedLayout, abortShared, createSharedLayout } from "../collectives/index.js";
import type { Dataset } from "../data/index.js";
import { tfjsLayerName } from "../model/index.js";
import { type DataView, gatherRows, viewDataset } from "../train/replica.js";
import { Scoring } from "../train/scoring.js";
import type { EvaluateReply, StateReply, StepReply } from "../train/protocol.js";
import { shareDataset } from "../train/data-parallel-group.js";
import type { NamedArray } from "../train/optimizer.js";
import { packShared } from "../train/shared-arrays.js";
import { joinSlotShards, sliceSlotState } from "./optimizer-shards.js";
import { channelBounds, concatLastAxis, sliceLastAxis } from "./last-axis.js";
import { type Channel, type MailboxLayout, abortMailbox, createMailbox } from "./mailbox.js";
import { PlanPool } from "./plan-pool.js";
import { PlanProcessPool } from "./plan-process-pool.js";
import type { FromPlanWorker, HeldFloats, LayerShard, VariableOwner } from "./protocol.js";
import { type StageInfo, reportsLayer, roleOf, sampleSize, stagesOf } from "./stage-layout.js";

export interface PlanGroupOptions {
  readonly plan: Plan;
  /** The whole model in the 1-device layout (layers named `tfjsLayerName(plan layer)`), initial weights set. */
  readonly model: tf.LayersModel;
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  /** Metrics scored with the loss (resolve-config's names); default none. */
  readonly metrics?: readonly string[];
  readonly seed: number;
  readonly train: Dataset;
  readonly validation?: Dataset | null;
  /** A 1-device optimizer state to continue from (`resume`), as `exportOptimizerState` names it. */
  readonly optimizerState?: readonly NamedArray[];
  /** The largest global batch a step will get: sizes the shared buffers. */
  readonly batch: number;
  readonly backend?: "auto" | "wasm" | "cpu";
  /** Worker threads (default) or one child process per device; `gpu` pins each process to its GPU. */
  readonly transport?: "thread" | "process";
  readonly gpu?: boolean;
}

/** The devices of a plan, addressed together: worker threads or device processes. */
type Devices = Pick<PlanPool, "devices" | "request" | "kill" | "close">;

function only<T extends FromPlanWorker["type"]>(
  replies: FromPlanWorker[],
  type: T,
): Extract<FromPlanWorker, { type: T }>[] {
  return replies.map((r) => {
    if (r.type !== type) throw new Error(`device protocol: expected ${type}, got ${r.type}`);
    return r as Extract<FromPlanWorker, { type: T }>;
  });
}

/** Each device's initial weights: the layers of its stage, split layers cut from the whole tensor. */
function weightsFor(model: tf.LayersModel, stage: StageInfo, device: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (const l of stage.layers) {
    if (l.op === "input") continue;
    const role = roleOf(l, stage.devices, device);
    for (const w of model.getLayer(tfjsLayerName(l.name)).weights) {
      const data = Float32Array.from(w.read().dataSync());
      const shape = w.shape as number[];
      if (!role.sharded) out.push(data);
      else
        out.push(
          sliceLastAxis(data, shape, ...channelBounds(shape.at(-1)!, role.modelDegree, role.modelIndex)),
        );
    }
  }
  return out;
}

/** Where each trainable variable of `device` sits in the whole model, in the device's held order. */
function ownersFor(model: tf.LayersModel, stage: StageInfo, device: number): VariableOwner[] {
  const trainable = new Map(model.trainableWeights.map((w, i) => [w, i]));
  const stageRank = stage.devices.indexOf(device);
  return stage.layers
    .filter((l) => l.op !== "input")
    .flatMap((l) => {
      const role = roleOf(l, stage.devices, device);
      return model.getLayer(tfjsLayerName(l.name)).trainableWeights.map((w) => ({
        weight: trainable.get(w)!,
        index: role.sharded ? role.modelIndex : 0,
        of: role.sharded ? role.modelDegree : 1,
        exported: reportsLayer(role, stageRank),
      }));
    });
}

/**
 * The devices of a plan stepping together (model-parallel, pipelined and hybrid placements): the counterpart of
 * DataParallelGroup with the same step / evaluate / state surface, so `runEpochs` drives either.
 */
export class PlanGroup {
  /** The validation set as rows are read from it, made on the first evaluation. */
  private validationView: DataView | null = null;

  private constructor(
    private readonly pool: Devices,
    private readonly options: PlanGroupOptions,
    private readonly lastDevice: number,
    readonly backend: string,
  ) {}

  static async start(options: PlanGroupOptions): Promise<PlanGroup> {
    const { plan, batch } = options;
    Scoring.checkData(options.model, options.loss, options.metrics ?? [], [
      options.train,
      options.validation,
    ]);
    const stages = stagesOf(plan);
    const microbatches = Math.max(1, plan.schedule.microbatches);
    const microRows = Math.ceil(batch / microbatches);
    const biggest = Math.max(...plan.layers.map((l) => sampleSize(l))) * batch;
    const layouts: SharedLayout[] = stages.map((s) =>
      createSharedLayout(s.devices.length, Math.max(1 << 16, biggest)),
    );
    const channels: Channel[] = stages.flatMap((s) =>
      s.outputs.flatMap((o) => {
        const floats = microRows * sampleSize(plan.layers.find((l) => l.name === o.tensor)!);
        return o.toStages.map((to) => ({ tensor: o.tensor, from: s.stage, to, floats }));
      }),
    );
    const mailbox: MailboxLayout = createMailbox(channels, microbatches);
    const devices = stages.flatMap((s) => s.devices);
    const pool: Devices =
      options.transport === "process"
        ? new PlanProcessPool(devices, options.gpu ?? false)
        : new PlanPool(devices, () => {
            layouts.forEach(abortShared);
            abortMailbox(mailbox);
          });
    const train = shareDataset(options.train);
    try {
      const replies = await pool.request((device) => {
        const stage = stages.find((s) => s.devices.includes(device))!;
        const owners = ownersFor(options.model, stage, device);
        const state = sliceSlotState(options.optimizerState ?? [], owners);
        return {
          type: "init",
          device,
          plan,
          stageLayout: layouts[stage.stage]!,
          mailbox,
          weights: packShared(weightsFor(options.model, stage, device)),
          owners,
          optimizerSlots: state.map(({ name, shape }) => ({ name, shape })),
          optimizerData: packShared(state.map((s) => s.data)),
          optimizer: options.optimizer,
          loss: options.loss,
          metrics: options.metrics ?? [],
          seed: options.seed,
          train,
          backend: options.backend ?? "auto",
        };
      });
      const [first] = only(replies, "ready");
      return new PlanGroup(pool, options, stages.at(-1)!.devices[0]!, first!.backend);
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  get devices(): number {
    return this.pool.devices.length;
  }

  async step(step: number, indices: Uint32Array): Promise<StepReply> {
    const replies = only(await this.pool.request(() => ({ type: "step", step, indices })), "stepDone");
    const last = replies[this.pool.devices.indexOf(this.lastDevice)]!;
    return { type: "stepDone", step, lossSum: last.lossSum, metricSums: last.metricSums, rows: last.rows };
  }

  /** Parameters and optimizer state each device holds, counted by the device itself. */
  async held(): Promise<HeldFloats[]> {
    return only(await this.pool.request(() => ({ type: "held" })), "held");
  }

  /** The whole model's weights in `model.getWeights()` order: shards gathered into the 1-device layout. */
  async state(): Promise<StateReply> {
    const replies = only(await this.pool.request(() => ({ type: "shards" })), "shards");
    const shards: LayerShard[] = replies.flatMap((r) => r.shards);
    const { model } = this.options;
    const index = new Map(model.weights.map((w, i) => [w, i]));
    const weights: Float32Array[] = new Array(model.weights.length);
    const byLayer = new Map<string, LayerShard[]>();
    for (const s of shards) byLayer.set(s.layer, [...(byLayer.get(s.layer) ?? []), s]);
    for (const [name, parts] of byLayer) {
      parts.sort((a, b) => a.index - b.index);
      model.getLayer(tfjsLayerName(name)).weights.forEach((w, k) => {
        const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
        const outer = size / (w.shape.at(-1) ?? 1);
        const pieces = parts.map((p) => p.weights[k]!);
        weights[index.get(w)!] = pieces.length === 1 ? pieces[0]! : concatLastAxis(pieces, outer);
      });
    }
    const iterations = replies.find((r) => r.iterations !== null)?.iterations ?? null;
    const shapes = model.trainableWeights.map((w) => w.shape as number[]);
    const optimizerState = joinSlotShards(
      iterations,
      replies.flatMap((r) => r.slots),
      shapes,
    );
    return { type: "state", weights, optimizerState };
  }

  /** Validation on the main thread with the gathered weights (the 1-device model). */
  async evaluate(batch: number): Promise<EvaluateReply> {
    const data = this.options.validation;
    const { model, loss } = this.options;
    const scoring = new Scoring(
      loss,
      this.options.metrics ?? [],
      model.outputs[0]!.shape.slice(1) as number[],
    );
    const sums = new Array<number>(scoring.width).fill(0);
    if (!data || data.count === 0)
      return { type: "evaluated", lossSum: 0, metricSums: sums.slice(1), rows: 0 };
    const { weights } = await this.state();
    const tensors = weights.map((w, i) => tf.tensor(w, model.weights[i]!.shape as number[]));
    model.setWeights(tensors);
    tf.dispose(tensors);
    this.validationView ??= viewDataset(shareDataset(data));
    const view = this.validationView;
    for (let lo = 0; lo < data.count; lo += batch) {
      tf.tidy(() => {
        const [x, y] = gatherRows(view, null, lo, Math.min(data.count, lo + batch));
        scoring.sums(y, model.predict(x) as tf.Tensor).forEach((s, i) => (sums[i]! += s));
      });
    }
    return { type: "evaluated", lossSum: sums[0]!, metricSums: sums.slice(1), rows: data.count };
  }

  kill(device: number): void {
    this.pool.kill(device);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
