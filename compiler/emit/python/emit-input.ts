import type { TrainingConfig } from "../../ir/config.js";
import type { Graph } from "../../ir/graph.js";

/**
 * The part of the plan (`compiler/plan`) the Python emitters read. Declared structurally so the full plan type
 * is assignable to it, and so hand-built plans in tests need only these fields.
 */
export interface PlanView {
  readonly devices: { readonly count: number; readonly memoryBytes?: number };
  readonly layers: readonly PlanLayerView[];
  readonly predicted: { readonly memoryPerDeviceBytes: readonly number[] };
  /**
   * Set when the plan shards replicated parameters, gradients and optimizer state over the data-parallel ranks
   * to fit memory (ZeRO-3 / FSDP). Optional: plans without it are read as not sharding.
   */
  readonly shardParameters?: boolean;
  /** The plan's schedule, where a program follows it: ZeRO-1 (optional; absent: replicated optimizer state). */
  readonly schedule?: { readonly optimizerSharding?: "zero-1" };
}

export interface PlanLayerView {
  readonly name: string;
  readonly placement: { readonly dataDegree: number; readonly modelDegree: number; readonly stage: number };
}

/** What `emitTorch` and `emitKeras` compile from: the shaped IR, the resolved training settings and the plan. */
export interface PythonEmitInput {
  readonly graph: Graph;
  readonly training: TrainingConfig;
  readonly plan: PlanView;
  /** The `.model` file's path as given on the command line; only its base name and folder are used. */
  readonly modelFile: string;
}

/**
 * One file to write. The first is the program (write it to `-o`); the rest are paths relative to the program's
 * folder (the built-in digits, which the program reads from beside itself).
 */
export interface EmittedFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

export interface EmitResult {
  readonly files: readonly EmittedFile[];
}
