import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import type { SharedLayout } from "../collectives/index.js";
import type { SharedDataset } from "../train/protocol.js";
import type { NamedArray } from "../train/optimizer.js";
import type { SharedArrays } from "../train/shared-arrays.js";
import type { MailboxLayout } from "./mailbox.js";
import type { SlotShard } from "./optimizer-shards.js";

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
  /** Per trainable variable of this device, in held order: where it sits in the whole model. */
  readonly owners: readonly VariableOwner[];
  /** This device's slice of the optimizer state (names `w<local index>/<slot>`); data in `optimizerData`. */
  readonly optimizerSlots: readonly Omit<NamedArray, "data">[];
  readonly optimizerData: SharedArrays;
  readonly loss: Loss;
  /** The `train` section's metrics, scored by the last stage. */
  readonly metrics: readonly string[];
  readonly seed: number;
  readonly train: SharedDataset;
  readonly backend: "auto" | "wasm" | "cpu";
}

export type ToPlanWorker =
  | PlanInit
  | { readonly type: "step"; readonly step: number; readonly indices: Uint32Array }
  | { readonly type: "shards" }
  | { readonly type: "held" };

export interface VariableOwner {
  /** Index among the model's trainable weights. */
  readonly weight: number;
  /** Shard `index` of `of` along the last axis (0 of 1 when whole). */
  readonly index: number;
  readonly of: number;
  /** This device reports it (one copy per shard). */
  readonly exported: boolean;
}

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
  | {
      readonly type: "stepDone";
      readonly lossSum: number;
      readonly metricSums: readonly number[];
      readonly rows: number;
    }
  | {
      readonly type: "shards";
      readonly shards: LayerShard[];
      readonly iterations: NamedArray | null;
      readonly slots: SlotShard[];
    }
  | ({ readonly type: "held" } & HeldFloats)
  | { readonly type: "error"; readonly message: string; readonly aborted: boolean };
