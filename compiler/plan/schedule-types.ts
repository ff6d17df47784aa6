/**
 * What each device executes, so the runtime never re-plans: segments of consecutive layers with the same
 * configuration (each runs as one function), the transfers at segment boundaries, the gradient all-reduce
 * buckets, and each device's ordered program (compiler/plan/microbatch-program.ts).
 */
export interface Schedule {
  readonly stages: number;
  readonly microbatches: number;
  readonly microbatchOrder: MicrobatchOrder;
  readonly segments: readonly ScheduleSegment[];
  readonly transfers: readonly ScheduleTransfer[];
  readonly gradientBuckets: readonly GradientBucket[];
  readonly programs: readonly DeviceProgram[];
  /**
   * `zero-1`: the all-reduce buckets run as reduce-scatter, update of each replica's 1/N, all-gather
   * (runtime/train/sharded-update.ts); absent: every replica updates every weight.
   */
  readonly optimizerSharding?: "zero-1";
}

/**
 * How a pipeline stage orders its micro-batches: `1f1b` (the default: warm-up forwards, then one forward and
 * one backward in turn) or `gpipe` (every forward, then every backward in reverse). The last stage runs each
 * micro-batch's forward and backward together under both.
 */
export type MicrobatchOrder = "gpipe" | "1f1b";

export interface ScheduleSegment {
  readonly id: number;
  readonly stage: number;
  readonly dataDegree: number;
  readonly modelDegree: number;
  readonly devices: readonly number[];
  /** Layer names, in topological order. */
  readonly layers: readonly string[];
}

/** A tensor crossing a segment boundary, forward; the backward pass moves its gradient the opposite way. */
export interface ScheduleTransfer {
  /** The producer layer whose output moves. */
  readonly tensor: string;
  /** The consumer layer. */
  readonly to: string;
  readonly fromSegment: number;
  readonly toSegment: number;
  /** `all-reduce`: partial sums (row-parallel, head-split layers) added up where the whole is needed. */
  readonly kind: "all-reduce" | "all-gather" | "all-to-all" | "slice" | "send-recv";
  /** Per micro-batch (the whole batch when not pipelined), all samples. */
  readonly bytes: number;
}

/** Gradients of replicated parameters, all-reduced (mean over the global batch) among `groups`. */
export interface GradientBucket {
  readonly id: number;
  readonly segment: number;
  /** In the order their gradients become ready (reverse layer order). */
  readonly layers: readonly string[];
  /** Bytes per device. */
  readonly bytes: number;
  /** Each inner list: the devices holding the same parameter shard, which all-reduce together. */
  readonly groups: readonly (readonly number[])[];
}

export type ProgramStep =
  | { readonly op: "forward" | "backward"; readonly segment: number; readonly microbatch: number }
  | { readonly op: "all-reduce"; readonly bucket: number }
  | { readonly op: "apply" };

export interface DeviceProgram {
  readonly device: number;
  readonly stage: number;
  readonly steps: readonly ProgramStep[];
}
