import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import type { ScoreSums } from "../report/index.js";
import type { NamedArray } from "./optimizer.js";
import type { SharedArrays } from "./shared-arrays.js";
import type { SharedDataset } from "./shared-dataset.js";
import type { BackendPreference } from "../backend/init-backend.js";

/**
 * What every engine's init message carries besides its own placement: tensor data in shared memory (packed
 * arrays, the data set), everything else small JSON-able values.
 */
export interface WorkerInit {
  readonly type: "init";
  /** This device's initial weights, packed in the engine's order. */
  readonly weights: SharedArrays;
  readonly optimizer: Optimizer;
  /** Names and shapes of the optimizer state to continue from; its data is `optimizerData`, in order. */
  readonly optimizerSlots: readonly Omit<NamedArray, "data">[];
  readonly optimizerData: SharedArrays;
  readonly loss: Loss;
  /** The `train` section's metrics (resolve-config's names), scored with the loss. */
  readonly metrics: readonly string[];
  /** Keys the dropout masks. */
  readonly seed: number;
  readonly train: SharedDataset;
  readonly backend: BackendPreference;
}

/** A step: its global batch as data set indices, in order; each device takes the rows its placement gives it. */
export interface StepMessage {
  readonly type: "step";
  readonly step: number;
  readonly indices: Uint32Array;
}

/** A device started its backend and holds its part of the model. */
export interface ReadyReply {
  readonly type: "ready";
  readonly backend: string;
}

/** Sums over the global batch: loss, and each metric in the order of the init message's `metrics`. */
export type StepDone = { readonly type: "stepDone" } & ScoreSums;
