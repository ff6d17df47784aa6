import type { Plan } from "../../compiler/plan/index.js";
import { needsPlanExecutor } from "../plan-exec/needs-plan-executor.js";

/**
 * Into how many parts a step's global batch is cut by rows: the device count when the plan runs data-parallel,
 * else the largest data degree of its layers (model-parallel layers see every row; 1 when none is
 * data-parallel). A batch smaller than this leaves a data replica without a single row.
 */
export function dataDegreeOf(plan: Plan | undefined, devices: number): number {
  if (plan === undefined || !needsPlanExecutor(plan)) return devices;
  return Math.max(1, ...plan.layers.map((l) => l.placement.dataDegree));
}

/** `64 → 32 per device`, or `64 → 21–22 per device` when it does not divide. */
function perPart(batch: number, parts: number, unit: string): string {
  const low = Math.floor(batch / parts);
  return `${batch} → ${batch % parts === 0 ? low : `${low}–${low + 1}`} per ${unit}`;
}

/**
 * What happens to the global batch, for the start banner: split over data-parallel devices, whole on each
 * device of a model-parallel plan, or cut into micro-batches that flow through pipeline stages.
 */
export function describeBatchSplit(plan: Plan | undefined, devices: number, batch: number): string {
  if (plan === undefined || !needsPlanExecutor(plan)) {
    return devices === 1 ? `global batch ${batch}` : `global batch ${perPart(batch, devices, "device")}`;
  }
  const d = dataDegreeOf(plan, devices);
  const stages = new Set(plan.layers.map((l) => l.placement.stage)).size;
  if (stages > 1) {
    // The strategy already names the stages; say how the batch flows through them.
    const micro = Math.min(batch, Math.max(1, plan.schedule.microbatches));
    const size = batch % micro === 0 ? `${batch / micro}` : `≤${Math.ceil(batch / micro)}`;
    const plural = micro === 1 ? "" : "es";
    const rows = d === 1 ? "" : `, each split ${d} ways in data-parallel layers`;
    return `global batch ${batch} → ${micro} micro-batch${plural} of ${size}${rows}`;
  }
  if (d === 1) return `global batch ${batch}, whole on every device (layers are split, not the batch)`;
  return (
    `global batch ${perPart(batch, d, "data replica")} in data-parallel layers, ` +
    `all ${batch} in model-parallel ones`
  );
}
