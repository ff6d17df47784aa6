import type { Plan } from "../../compiler/plan/index.js";
import type { SharedLayout } from "../collectives/index.js";
import type { NamedArray } from "../worker/optimizer.js";
import type { ReadyReply, StepDone, StepMessage, WorkerInit } from "../worker/protocol.js";
import type { MailboxLayout } from "./mailbox.js";
import type { SlotShard } from "./optimizer-shards.js";

/** The plan executor's init: a device's part of the plan (its layers, shards where split). */
export interface PlanInit extends WorkerInit {
  readonly device: number;
  /** Every device of the plan, in order (a device process's mesh rank is its index here). */
  readonly devices: readonly number[];
  /** Metadata only; tensor data travels in shared memory. */
  readonly plan: Plan;
  /** Threads: the shared memory of this device's stage collective and of the stage links; null on processes. */
  readonly stageLayout: SharedLayout | null;
  readonly mailbox: MailboxLayout | null;
  /** Per trainable variable of this device, in held order: where it sits in the whole model. */
  readonly owners: readonly VariableOwner[];
  /*
   * `weights`: this device's layers only, shards where split, in `layer.weights` order; `optimizerSlots`: its
   * slice of the optimizer state (names `w<local index>/<slot>`).
   */
}

export type ToPlanWorker = PlanInit | StepMessage | { readonly type: "shards" } | { readonly type: "held" };

export interface VariableOwner {
  /** Index among the model's trainable weights. */
  readonly weight: number;
  /** Shard `index` of `of` along `axis` (0 of 1, axis null, when whole). */
  readonly index: number;
  readonly of: number;
  readonly axis: number | null;
  /** The whole weight's shape. */
  readonly shape: readonly number[];
  /** This device reports it (one copy per shard). */
  readonly exported: boolean;
}

/** One held layer's weights, in `layer.weights` order: shards as its layout cuts them when split (`of` > 1). */
export interface LayerShard {
  readonly layer: string;
  readonly index: number;
  readonly of: number;
  readonly weights: Float32Array[];
}

/** Floats a device actually holds: its parameters and its optimizer state. */
export interface HeldFloats {
  readonly device: number;
  readonly params: number;
  readonly optimizer: number;
}

export type FromPlanWorker =
  | ReadyReply
  /** The last stage's sums (the other stages report zeros). */
  | StepDone
  | {
      readonly type: "shards";
      readonly shards: LayerShard[];
      readonly iterations: NamedArray | null;
      readonly slots: SlotShard[];
    }
  | ({ readonly type: "held" } & HeldFloats);
