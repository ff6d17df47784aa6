import type { Plan } from "../../compiler/plan/index.js";

/** Plans the data-parallel engine cannot run as planned: some layer split (m > 1) or pipelined (stage > 0). */
export function needsPlanExecutor(plan: Plan): boolean {
  return plan.layers.some((l) => l.placement.modelDegree > 1 || l.placement.stage > 0);
}
