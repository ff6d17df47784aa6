export {
  PLAN_VERSION,
  type Plan,
  type PlanLayer,
  type PlanPlacement,
  type PlanRunnerUp,
  type PlanTraining,
} from "./plan-types.js";
export type * from "./schedule-types.js";
export { PLAN_SCHEMA } from "./plan-schema.js";
export {
  loadPlan,
  isPlanLoadError,
  validatePlanObject,
  planSchemaErrors,
  type PlanLoadError,
} from "./load-plan.js";
export { buildPlan, planTraining } from "./build-plan.js";
export { microbatchProgram, type MicrobatchOp } from "./microbatch-program.js";
