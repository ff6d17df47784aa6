import { availableParallelism } from "node:os";
import type { Plan } from "../compiler/plan/index.js";
import { dataDegreeOf } from "../runtime/train/batch-split.js";
import { UsageError } from "./exit-codes.js";

/**
 * The most CPU devices a run may ask for. Each is a thread or process with its own backend (about 50 MB, and
 * a share of the cores); far past the core count a run only gets slower and bigger, and placing the layers of
 * a plan for thousands of devices alone takes minutes.
 */
export const MAX_CPU_DEVICES = 128;

/**
 * Before anything is compiled: refuses a CPU device count past `MAX_CPU_DEVICES` (GPUs found: the devices are
 * GPUs, counted by the runtime).
 */
export function checkDeviceLimit(devices: number | undefined, gpus: number): void {
  if (devices === undefined || gpus > 0 || devices <= MAX_CPU_DEVICES) return;
  throw new UsageError(
    `--devices ${devices}: at most ${MAX_CPU_DEVICES} CPU devices (this machine has ${availableParallelism()} ` +
      "cores, and CPU devices beyond the core count share them)",
  );
}

export interface TrainingShape {
  readonly plan: Plan;
  /** Devices the run uses (`--devices`, else the plan's). */
  readonly devices: number;
  readonly batch: number;
  /** Where the batch came from, for the message: `--batch` or the train section. */
  readonly batchFrom: "flag" | "file";
  readonly gpus: number;
  readonly cores?: number;
}

/**
 * What the plan, the devices and the batch say together, before anything starts: a batch smaller than the
 * number of data-parallel replicas it is split over is bad usage (model-parallel layers do not split it, so
 * any batch runs there); more CPU devices than cores is allowed, with a warning (returned).
 */
export function checkTrainingShape(s: TrainingShape): string[] {
  const degree = dataDegreeOf(s.plan, s.devices);
  if (s.batch < degree) {
    const batch = s.batchFrom === "flag" ? `--batch ${s.batch}` : `the train section's batch ${s.batch}`;
    throw new UsageError(
      `${batch} is smaller than the ${degree} data-parallel replicas it is split over ` +
        `(every replica needs a row); give --batch ${degree} or more, or fewer --devices`,
    );
  }
  const cores = s.cores ?? availableParallelism();
  if (s.gpus > 0 || s.devices <= cores) return [];
  return [
    `${s.devices} CPU devices on ${cores} core${cores === 1 ? "" : "s"}: devices beyond the core count share ` +
      `cores, so expect no speed-up past ${cores} device${cores === 1 ? "" : "s"}, only more memory`,
  ];
}
