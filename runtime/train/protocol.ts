import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import type { SharedLayout } from "../collectives/index.js";
import type { NamedArray } from "./optimizer.js";
import type { SharedArrays } from "./shared-arrays.js";

/** A data set placed in shared memory once, read by every replica (never copied per step). */
export interface SharedDataset {
  readonly x: SharedArrayBuffer;
  readonly y: SharedArrayBuffer;
  readonly yIsInt: boolean;
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly labelShape: readonly number[];
}

export interface InitMessage {
  readonly type: "init";
  readonly rank: number;
  readonly layout: SharedLayout;
  /** `model.toJSON(null, false)`: the topology; weights come as arrays below. */
  readonly topology: unknown;
  /** In `model.getWeights()` order, shared by all workers. */
  readonly weights: SharedArrays;
  readonly optimizer: Optimizer;
  /** Names and shapes of the optimizer state; its data is `optimizerData`, in the same order. */
  readonly optimizerSlots: readonly Omit<NamedArray, "data">[];
  readonly optimizerData: SharedArrays;
  readonly loss: Loss;
  /** The `train` section's metrics (resolve-config's names), scored with the loss. */
  readonly metrics: readonly string[];
  readonly seed: number;
  readonly train: SharedDataset;
  readonly validation: SharedDataset | null;
  readonly backend: "auto" | "wasm" | "cpu";
}

export interface StepMessage {
  readonly type: "step";
  readonly step: number;
  /** Data set indices of the global batch, in order; each replica takes its shard of rows. */
  readonly indices: Uint32Array;
}

export interface EvaluateMessage {
  readonly type: "evaluate";
  readonly batch: number;
}

export interface StateMessage {
  readonly type: "state";
}

export type ToWorker = InitMessage | StepMessage | EvaluateMessage | StateMessage;

export interface ReadyReply {
  readonly type: "ready";
  readonly backend: string;
}

/** Sums over the global batch: loss, and each metric in the order of `InitMessage.metrics`. */
export interface StepReply {
  readonly type: "stepDone";
  readonly step: number;
  readonly lossSum: number;
  readonly metricSums: readonly number[];
  readonly rows: number;
}

export interface EvaluateReply {
  readonly type: "evaluated";
  readonly lossSum: number;
  readonly metricSums: readonly number[];
  readonly rows: number;
}

export interface StateReply {
  readonly type: "state";
  readonly weights: Float32Array[];
  readonly optimizerState: NamedArray[];
}

export interface ErrorReply {
  readonly type: "error";
  readonly message: string;
  /** True when this replica only stopped because another one failed. */
  readonly aborted: boolean;
}

export type FromWorker = ReadyReply | StepReply | EvaluateReply | StateReply | ErrorReply;
