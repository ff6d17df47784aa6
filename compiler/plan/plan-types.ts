import type { Attrs, DType } from "../ir/graph.js";
import type { Strategy } from "../ir/config.js";
import type { SplitAxis } from "./layer-layout.js";
import type { Schedule } from "./schedule-types.js";

/**
 * The plan format version this compiler writes and the newest it reads. Version 2 adds `placement.split` and
 * per-layer `collectives`, both optional, so version 1 plans still load.
 */
export const PLAN_VERSION = 2;

export interface PlanPlacement {
  /** data: modelDegree 1; model: dataDegree 1 and modelDegree > 1; hybrid: both > 1. */
  readonly kind: "data" | "model" | "hybrid";
  readonly dataDegree: number;
  readonly modelDegree: number;
  /** Pipeline stage, 0-based; 0 when not pipelined. */
  readonly stage: number;
  readonly devices: readonly number[];
  /** v2, written whenever modelDegree > 1: the axis the layer is cut on (compiler/plan/layer-layout.ts). */
  readonly split?: SplitAxis;
}

/** v2: a collective a layer's configuration performs each step, and the bytes it moves (all samples). */
export interface PlanCollective {
  readonly kind: "all-reduce" | "all-gather" | "reduce-scatter" | "send-recv" | "all-to-all";
  readonly bytes: number;
  readonly phase: "forward" | "backward" | "update";
}

export interface PlanRunnerUp {
  /** `data×8`, `model×8`, `d2×m4`. */
  readonly config: string;
  readonly dataDegree: number;
  readonly modelDegree: number;
  readonly stage: number;
  /** How much slower the step gets with it (negative: the strategy forced a slower choice). */
  readonly extraMs: number;
}

export interface PlanLayer {
  readonly name: string;
  readonly op: string;
  /** Producer layer names, in argument order: enough to rebuild the model without the `.model` file. */
  readonly inputs: readonly string[];
  readonly attrs: Attrs;
  readonly dtype: DType;
  readonly outputShape: readonly number[];
  readonly params: number;
  readonly trainableParams: number;
  /** Forward FLOPs per sample. */
  readonly flops: number;
  readonly placement: PlanPlacement;
  readonly predicted: { readonly computeMs: number; readonly commMs: number; readonly memoryBytes: number };
  readonly runnerUp: PlanRunnerUp | null;
  readonly reason: string;
  /** v2: what the layer's configuration communicates each step; absent when nothing. */
  readonly collectives?: readonly PlanCollective[];
}

export interface PlanTraining {
  readonly batch: number;
  readonly epochs: number;
  readonly optimizer: Readonly<Record<string, string | number | boolean>>;
  readonly loss: string | null;
  readonly metrics: readonly string[];
  readonly data: Readonly<Record<string, string | number | readonly number[]>> | null;
  /** Present only with `target: input` (the schema's training object allows extra fields). */
  readonly target?: "input";
  readonly validation: number | Readonly<Record<string, string | number | readonly number[]>>;
  readonly seed: number;
}

export interface PlanOptimizerSharding {
  readonly chosen: "replicated" | "zero-1";
  readonly otherStepTimeMs: number;
  readonly otherMemoryPerDeviceBytes: number;
}

export interface Plan {
  readonly format: "mgpuc-plan";
  readonly version: number;
  readonly model: string;
  readonly strategy: Strategy;
  readonly devices: {
    /** The devices the plan runs on. */
    readonly count: number;
    readonly profile: string;
    readonly memoryBytes: number;
    readonly rate: "fp32" | "tensor";
    /** When `auto` uses fewer devices than it was allowed: how many it was allowed. */
    readonly allowed?: number;
  };
  /** The model's input and output layer names. */
  readonly graph: { readonly inputs: readonly string[]; readonly outputs: readonly string[] };
  readonly layers: readonly PlanLayer[];
  readonly predicted: {
    readonly stepTimeMs: number;
    readonly baselines: {
      readonly data: number | null;
      readonly model: number | null;
      readonly pipeline: number | null;
    };
    readonly memoryPerDeviceBytes: readonly number[];
    readonly stages: number;
    readonly microbatches: number;
    /** With `devices.allowed`: the best step predicted with every layer on all of them (null: none fits). */
    readonly allAllowedStepTimeMs?: number | null;
    /** All-data plans on several devices: replicated or ZeRO-1 optimizer state, and the other choice's figures. */
    readonly optimizerSharding?: PlanOptimizerSharding;
  };
  readonly training: PlanTraining;
  readonly schedule: Schedule;
}
