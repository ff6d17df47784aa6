import type { DeviceProfile } from "./cost/profile.js";
import { availableParallelism } from "node:os";
import { optimizerSlots } from "./cost/optimizer-slots.js";
import { isProfileError, loadProfile } from "./cost/profiles.js";
import type { ParallelConfig, Strategy, TrainingConfig } from "./ir/config.js";
import type { Graph } from "./ir/graph.js";
import type { PassContext } from "./diagnostics/pass-context.js";
import { placeLayers } from "./passes/place-layers.js";
import { schedule } from "./passes/schedule.js";
import { buildPlan } from "./plan/build-plan.js";
import type { Plan } from "./plan/plan-types.js";
import type { MicrobatchOrder } from "./plan/schedule-types.js";

export interface PlanModelOptions {
  readonly devices?: number;
  readonly strategy?: Strategy;
  /** A built-in profile name, a file path, or the profile itself (calibration plans with one it measured). */
  readonly profile?: string | DeviceProfile;
  readonly microbatches?: number;
  /** Pipeline micro-batch order; default 1F1B (compiler/plan/microbatch-program.ts says why). */
  readonly microbatchOrder?: MicrobatchOrder;
  /** The `.model` file's folder: profile paths are relative to it. */
  readonly baseDir: string;
}

/** `devices: all` without GPUs: one CPU device per core, at most 8 (LANGUAGE.md). */
export function allDevices(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * estimate-cost → place-layers → schedule, then the plan. Command-line options override the `parallel`
 * section. Undefined, with diagnostics, when the profile, the hints or the memory make a plan impossible.
 */
export function planModel(
  graph: Graph,
  training: TrainingConfig,
  parallel: ParallelConfig,
  options: PlanModelOptions,
  ctx: PassContext,
): Plan | undefined {
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
  const profile =
    typeof options.profile === "object"
      ? options.profile
      : loadProfile(options.profile ?? parallel.profile ?? "cpu", options.baseDir);
  if (isProfileError(profile)) {
    ctx.diagnostics.report("MG3010", at("profile"), [profile.error]);
    return undefined;
  }
  const placement = placeLayers(
    graph,
    {
      devices,
      strategy: options.strategy ?? parallel.strategy,
      profile,
      batch: training.batch,
      optimizerSlots: optimizerSlots(training.optimizer),
      ...(microbatches !== undefined ? { microbatches } : {}),
    },
    ctx,
  );
  if (!placement) return undefined;
  return buildPlan(graph, training, placement, schedule(graph, placement, options.microbatchOrder));
}
