import * as tf from "@tensorflow/tfjs";
import { preferWasmForMath } from "../backend/index.js";
import type { Plan } from "../../compiler/plan/index.js";
import { type SharedLayout, abortShared, createSharedLayout } from "../collectives/index.js";
import { tfjsLayerName } from "../model/index.js";
import { type DataView, gatherRows, shareDataset, viewDataset } from "../worker/shared-dataset.js";
import { Scoring } from "../worker/scoring.js";
import type { EvaluateReply, StateReply } from "../train/protocol.js";
import type { StepDone } from "../worker/protocol.js";
import { packShared } from "../worker/shared-arrays.js";
import { readyDevices } from "../worker/ready-devices.js";
import type { TrainingGroup, TrainingGroupOptions } from "../train/training-group.js";
import { joinSlotShards, sliceSlotState } from "./optimizer-shards.js";
import { concatAxis, cutPiece, pieceOf } from "./weight-shards.js";
import { weightCut } from "../../compiler/plan/layer-layout.js";
import { type Channel, type MailboxLayout, abortMailbox, createMailbox } from "./mailbox.js";
import { type DeviceGroup, repliesOf, startDevices } from "../devices/index.js";
import type {
  FromPlanWorker,
  HeldFloats,
  LayerShard,
  PlanInit,
  ToPlanWorker,
  VariableOwner,
} from "./protocol.js";
import { type StageInfo, reportsLayer, roleOf, sampleSize, stagesOf } from "./stage-layout.js";

export interface PlanGroupOptions extends TrainingGroupOptions {
  /** `model`'s layers are named `tfjsLayerName(plan layer)`. */
  readonly plan: Plan;
  /** The largest global batch a step will get: sizes the shared buffers. */
  readonly batch: number;
}

/** Every device runs this module, on threads and processes alike. */
const ENTRY = { base: import.meta.url, relative: "./plan-entry" };

/** The devices of a plan, addressed together: worker threads or device processes. */
type Devices = DeviceGroup<ToPlanWorker, FromPlanWorker>;

/** Each device's initial weights: the layers of its stage, split layers cut from the whole tensor. */
function weightsFor(model: tf.LayersModel, stage: StageInfo, device: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (const l of stage.layers) {
    if (l.op === "input") continue;
    const role = roleOf(l, stage.devices, device);
    for (const w of model.getLayer(tfjsLayerName(l.name)).weights) {
      const data = Float32Array.from(w.read().dataSync());
      const shape = w.shape as number[];
      const piece = pieceOf(weightCut(l, w.originalName), shape.length, role.modelDegree, role.modelIndex);
      out.push(cutPiece(data, shape, piece));
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
      return model.getLayer(tfjsLayerName(l.name)).trainableWeights.map((w) => {
        const shape = w.shape as number[];
        const piece = pieceOf(weightCut(l, w.originalName), shape.length, role.modelDegree, role.modelIndex);
        return {
          weight: trainable.get(w)!,
          index: piece.index,
          of: piece.of,
          axis: piece.axis,
          shape,
          // A weight only model rank 0 adds (a row-parallel bias) is reported by that rank's copy.
          exported: reportsLayer(role, stageRank) && (!piece.onlyFirst || role.modelIndex === 0),
        };
      });
    });
}

/** The shared memory of worker-thread devices: a collective per stage and the mailbox between stages. */
function sharedMemoryOf(
  plan: Plan,
  stages: readonly StageInfo[],
  batch: number,
): { layouts: SharedLayout[]; mailbox: MailboxLayout } {
  const microbatches = Math.max(1, plan.schedule.microbatches);
  const microRows = Math.ceil(batch / microbatches);
  const biggest = Math.max(...plan.layers.map((l) => sampleSize(l))) * batch;
  const layouts = stages.map((s) => createSharedLayout(s.devices.length, Math.max(1 << 16, biggest)));
  const channels: Channel[] = stages.flatMap((s) =>
    s.outputs.flatMap((o) => {
      const floats = microRows * sampleSize(plan.layers.find((l) => l.name === o.tensor)!);
      return o.toStages.map((to) => ({ tensor: o.tensor, from: s.stage, to, floats }));
    }),
  );
  return { layouts, mailbox: createMailbox(channels, microbatches) };
}

/**
 * The devices of a plan stepping together (model-parallel, pipelined and hybrid placements): the counterpart of
 * DataParallelGroup with the same step / evaluate / state surface, so `runEpochs` drives either.
 */
export class PlanGroup implements TrainingGroup {
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
    const devices = stages.flatMap((s) => s.devices);
    // Threads share memory for the stage collectives and links; processes use the pipes of their mesh.
    const shared = options.transport === "process" ? null : sharedMemoryOf(plan, stages, batch);
    const pool = startDevices<ToPlanWorker, FromPlanWorker>({
      devices,
      entry: ENTRY,
      transport: options.transport,
      gpu: options.gpu,
      webgpuAdapters: options.webgpuAdapters,
      onAbort: () => {
        shared?.layouts.forEach(abortShared);
        if (shared) abortMailbox(shared.mailbox);
      },
    });
    const train = shareDataset(options.train);
    const backend = await readyDevices(pool, (device): PlanInit => {
      const stage = stages.find((s) => s.devices.includes(device))!;
      const owners = ownersFor(options.model, stage, device);
      const state = sliceSlotState(options.optimizerState ?? [], owners);
      return {
        type: "init",
        device,
        devices,
        plan,
        stageLayout: shared?.layouts[stage.stage] ?? null,
        mailbox: shared?.mailbox ?? null,
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
    return new PlanGroup(pool, options, stages.at(-1)!.devices[0]!, backend);
  }

  get devices(): number {
    return this.pool.devices.length;
  }

  async step(step: number, indices: Uint32Array): Promise<StepDone> {
    const replies = repliesOf(await this.pool.request(() => ({ type: "step", step, indices })), "stepDone");
    return replies[this.pool.devices.indexOf(this.lastDevice)]!;
  }

  /** Parameters and optimizer state each device holds, counted by the device itself. */
  async held(): Promise<HeldFloats[]> {
    return repliesOf(await this.pool.request(() => ({ type: "held" })), "held");
  }

  /** The whole model's weights in `model.getWeights()` order: shards gathered into the 1-device layout. */
  async state(): Promise<StateReply> {
    const replies = repliesOf(await this.pool.request(() => ({ type: "shards" })), "shards");
    const shards: LayerShard[] = replies.flatMap((r) => r.shards);
    const { model } = this.options;
    const index = new Map(model.weights.map((w, i) => [w, i]));
    const weights: Float32Array[] = new Array(model.weights.length);
    const byLayer = new Map<string, LayerShard[]>();
    for (const s of shards) byLayer.set(s.layer, [...(byLayer.get(s.layer) ?? []), s]);
    const planLayers = new Map(this.options.plan.layers.map((l) => [l.name, l]));
    for (const [name, parts] of byLayer) {
      parts.sort((a, b) => a.index - b.index);
      const planLayer = planLayers.get(name)!;
      model.getLayer(tfjsLayerName(name)).weights.forEach((w, k) => {
        const shape = w.shape as number[];
        const piece = pieceOf(weightCut(planLayer, w.originalName), shape.length, parts.length, 0);
        const pieces = parts.map((p) => p.weights[k]!);
        // Whole (or held whole by every shard, rank 0's copy the one that learned): the first part's.
        weights[index.get(w)!] =
          pieces.length === 1 || piece.axis === null ? pieces[0]! : concatAxis(pieces, shape, piece.axis);
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
    await preferWasmForMath();
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
