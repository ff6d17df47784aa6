import type { SharedLayout } from "../collectives/index.js";
import type { ScoreSums } from "../report/index.js";
import type { ReadyReply, StepDone, StepMessage, WorkerInit } from "../worker/protocol.js";
import type { SharedDataset } from "../worker/shared-dataset.js";
import type { TrainingState } from "./training-group.js";

/** The data-parallel engine's init: the whole model for a replica, and the validation set it scores. */
export interface InitMessage extends WorkerInit {
  readonly rank: number;
  /** The threads' shared all-reduce buffers; null on device processes (their collectives use the pipes). */
  readonly layout: SharedLayout | null;
  /** `model.toJSON(null, false)`: the topology; weights (in `model.getWeights()` order) come as arrays. */
  readonly topology: unknown;
  readonly validation: SharedDataset | null;
  /** `zero-1`: optimizer state and update split over the replicas (`ShardedUpdate`); else every replica updates all. */
  readonly optimizerSharding: OptimizerSharding;
}

/** How a data-parallel group holds its optimizer state: whole on every replica, or ZeRO-1's 1/N slices. */
export type OptimizerSharding = "replicated" | "zero-1";

export interface EvaluateMessage {
  readonly type: "evaluate";
  readonly batch: number;
}

export interface StateMessage {
  readonly type: "state";
}

export type ToWorker = InitMessage | StepMessage | EvaluateMessage | StateMessage;

export type EvaluateReply = { readonly type: "evaluated" } & ScoreSums;

/** Rank 0's weights and optimizer state (the replicas are identical; the others send empty lists). */
export type StateReply = { readonly type: "state" } & TrainingState;

export type FromWorker = ReadyReply | StepDone | EvaluateReply | StateReply;
