import type { Plan } from "../plan/plan-types.js";

/** The plan as JSON: keys in the plan's fixed order, 2-space indent, trailing newline, same bytes every run. */
export function emitPlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
