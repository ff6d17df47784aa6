import type { OptimizerShardingChoice } from "./placement/placement-types.js";
import type { DeviceProfile } from "./cost/profile.js";
import { availableParallelism } from "node:os";
import { optimizerSlots } from "./cost/optimizer-slots.js";
import { isProfileError, loadProfile } from "./cost/profiles.js";
import type { Backend, ParallelConfig, Strategy, TrainingConfig } from "./ir/config.js";
import type { Graph } from "./ir/graph.js";
import type { PassContext } from "./diagnostics/pass-context.js";
import { estimateCost, type CostTable } from "./cost/estimate-cost.js";
import { placeLayers } from "./passes/place-layers.js";
import type { PlaceOptions, Placement } from "./placement/placement-types.js";
import { schedule } from "./passes/schedule.js";
import { buildPlan } from "./plan/build-plan.js";
import type { Plan } from "./plan/plan-types.js";
import type { MicrobatchOrder } from "./plan/schedule-types.js";

export type { OptimizerShardingChoice };

export interface PlanModelOptions {
  readonly devices?: number;
  readonly strategy?: Strategy;
  /** A built-in profile name, a file path, or the profile itself (calibration plans with one it measured). */
  readonly profile?: string | DeviceProfile;
  readonly microbatches?: number;
  /** Pipeline micro-batch order; default 1F1B (compiler/plan/microbatch-program.ts says why). */
  readonly microbatchOrder?: MicrobatchOrder;
  /** ZeRO-1 for all-data plans: `auto` (default) when the replicated state does not fit, `zero-1`, `replicated`. */
  readonly optimizerSharding?: OptimizerShardingChoice;
  /** The `.model` file's folder: profile paths are relative to it. */
  readonly baseDir: string;
  /**
   * This machine's measured profile for a backend (`auto` unless the file names one), when there is one: what a
   * plan uses when neither the command line nor the file names a profile, instead of the shipped `cpu`. The CLI
   * gives it from its cache of quick calibrations (cli/machine-profile.ts); the compiler reads no cache itself.
   */
  readonly machineProfile?: (backend: Backend) => DeviceProfile | undefined;
}

/** `devices: all` without GPUs: one CPU device per core, at most 8 (LANGUAGE.md). */
export function allDevices(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * What placement is asked, from the `parallel` section and the command line (which overrides it): devices,
 * strategy, profile, batch, micro-batches. Undefined, with a diagnostic, when a value is impossible.
 */
export function placeOptions(
  graph: Graph,
  training: TrainingConfig,
  parallel: ParallelConfig,
  options: PlanModelOptions,
  ctx: PassContext,
): PlaceOptions | undefined {
  const requested = options.devices ?? parallel.devices;
  const devices = requested === "all" ? allDevices() : requested;
  // A value from the file is reported at its span; one from the command line at the model.
  const at = (key: "devices" | "profile" | "microbatches") =>
    (options[key] === undefined ? parallel.spans[key] : undefined) ?? graph.span;
  if (!Number.isInteger(devices) || devices < 1) {
    ctx.diagnostics.report("MG3011", at("devices"), [devices]);
    return undefined;
  }
  const microbatches = options.microbatches ?? parallel.microbatches;
  if (microbatches !== undefined && (!Number.isInteger(microbatches) || microbatches < 1)) {
    ctx.diagnostics.report("MG3012", at("microbatches"), [microbatches]);
    return undefined;
  }
  const named = options.profile ?? parallel.profile;
  const profile =
    typeof named === "object"
      ? named
      : named !== undefined
        ? loadProfile(named, options.baseDir)
        : (options.machineProfile?.(parallel.backend ?? "auto") ?? loadProfile("cpu", options.baseDir));
  if (isProfileError(profile)) {
    ctx.diagnostics.report("MG3010", at("profile"), [profile.error]);
    return undefined;
  }
  return {
    devices,
    strategy: options.strategy ?? parallel.strategy,
    profile,
    batch: training.batch,
    optimizerSlots: optimizerSlots(training.optimizer),
    ...(microbatches !== undefined ? { microbatches } : {}),
    ...(options.optimizerSharding !== undefined ? { optimizerSharding: options.optimizerSharding } : {}),
  };
}

/** The `estimate-cost` pass: every layer's cost under every configuration on the devices asked for. */
export function estimateCosts(graph: Graph, options: PlaceOptions): CostTable {
  return estimateCost(graph, options.profile, options.devices, options.batch, options.optimizerSlots);
}

/** The `schedule` pass, then the plan. */
export function schedulePlan(
  graph: Graph,
  training: TrainingConfig,
  placement: Placement,
  order?: MicrobatchOrder,
): Plan {
  return buildPlan(graph, training, placement, schedule(graph, placement, order));
}

/**
 * estimate-cost → place-layers → schedule, then the plan (what `compileSource` runs pass by pass). Undefined,
 * with diagnostics, when the profile, the hints or the memory make a plan impossible.
 */
export function planModel(
  graph: Graph,
  training: TrainingConfig,
  parallel: ParallelConfig,
  options: PlanModelOptions,
  ctx: PassContext,
): Plan | undefined {
  const asked = placeOptions(graph, training, parallel, options, ctx);
  if (!asked) return undefined;
  const placement = placeLayers(graph, asked, ctx, estimateCosts(graph, asked));
  return placement && schedulePlan(graph, training, placement, options.microbatchOrder);
}
