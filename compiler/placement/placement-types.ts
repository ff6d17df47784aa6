import type { LayerConfig } from "../cost/layer-config.js";
import type { DeviceProfile } from "../cost/profile.js";
import type { Strategy } from "../ir/config.js";
import type { MicrobatchOrder } from "../plan/schedule-types.js";

/** A layer's predicted share of the step and why it was placed so. Seconds and bytes. */
export interface PlacedLayer {
  readonly config: LayerConfig;
  readonly stage: number;
  /** Devices it runs on. */
  readonly devices: readonly number[];
  readonly compute: number;
  readonly comm: number;
  readonly memory: number;
  readonly runnerUp?: { readonly config: LayerConfig; readonly stage: number; readonly extra: number };
  readonly reason: string;
}

/** The `place-layers` pass's result: what `schedule` and the plan emitter read. */
export interface Placement {
  readonly strategy: Strategy;
  readonly devices: number;
  readonly profile: DeviceProfile;
  readonly batch: number;
  /** 1 without pipeline stages. */
  readonly stages: number;
  /** Devices per stage (all devices when not pipelined). */
  readonly stageDevices: number;
  /** 1 without pipeline stages. */
  readonly microbatches: number;
  readonly stepTime: number;
  readonly baselines: {
    readonly data: number | null;
    readonly model: number | null;
    readonly pipeline: number | null;
  };
  readonly layers: readonly PlacedLayer[];
  readonly memoryPerDevice: readonly number[];
  /** Per node: bytes per sample of its output (for the schedule's transfers). */
  readonly outBytes: readonly number[];
  /**
   * All-data plans on more than one device: whether each replica updates everything (`replicated`) or its 1/N
   * (`zero-1`, compiler/placement/zero-one.ts), and the other choice's step and memory per device.
   */
  readonly optimizerSharding?: {
    readonly chosen: "replicated" | "zero-1";
    readonly otherStepTime: number;
    readonly otherMemoryPerDevice: number;
  };
  /**
   * Set when `auto` uses fewer devices than it was allowed (`devices` is then the number used): how many it
   * could have used, and the best step predicted with all of them busy (null when none fits).
   */
  readonly allowed?: { readonly devices: number; readonly stepTime: number | null };
}

/** What the placement search is asked: devices, strategy, the device profile, the batch and optimizer state. */
export interface PlaceOptions {
  readonly devices: number;
  readonly strategy: Strategy;
  readonly profile: DeviceProfile;
  readonly batch: number;
  readonly optimizerSlots: number;
  /** Absent = 4 × stages. */
  readonly microbatches?: number;
  /** How pipeline stages order micro-batches (absent: 1F1B): how many each keeps in flight. */
  readonly microbatchOrder?: MicrobatchOrder;
  /** All-data plans on several devices: ZeRO-1 or not (`OptimizerShardingChoice`); absent = `auto`. */
  readonly optimizerSharding?: OptimizerShardingChoice;
}

/**
 * `auto`: ZeRO-1 when the replicated optimizer state does not fit (compiler/placement/zero-one.ts says why not
 * for speed); `zero-1`: every all-data plan on several devices; `replicated`: never.
 */
export type OptimizerShardingChoice = "auto" | "replicated" | "zero-1";
