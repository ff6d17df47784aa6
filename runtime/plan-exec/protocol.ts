import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import type { SharedLayout } from "../collectives/index.js";
import type { SharedDataset } from "../train/protocol.js";
import type { SharedArrays } from "../train/shared-arrays.js";
import type { MailboxLayout } from "./mailbox.js";

export interface PlanInit {
  readonly type: "init";
  readonly device: number;
  /** Metadata only; tensor data travels in shared memory below. */
  readonly plan: Plan;
  /** The collective of this device's stage. */
  readonly stageLayout: SharedLayout;
  readonly mailbox: MailboxLayout;
  /** This device's weights only: its layers, shards where split, in `layer.weights` order. */
  readonly weights: SharedArrays;
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  readonly seed: number;
  readonly train: SharedDataset;
  readonly backend: "auto" | "wasm" | "cpu";
}

export type ToPlanWorker =
  | PlanInit
  | { readonly type: "step"; readonly step: number; readonly indices: Uint32Array }
  | { readonly type: "shards" }
  | { readonly type: "held" };

/** One held layer's weights: a shard along the last axis when split (`of` > 1). */
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
  | { readonly type: "ready"; readonly backend: string }
  | { readonly type: "stepDone"; readonly lossSum: number; readonly correct: number; readonly rows: number }
  | { readonly type: "shards"; readonly shards: LayerShard[] }
  | ({ readonly type: "held" } & HeldFloats)
  | { readonly type: "error"; readonly message: string; readonly aborted: boolean };
