export { PlanGroup } from "./plan-group.js";
export type { PlanGroupOptions } from "./plan-group.js";
export type { HeldFloats, LayerShard } from "./protocol.js";
export { stagesOf, roleOf, isSplit } from "./stage-layout.js";
export type { LayerRole, StageInfo } from "./stage-layout.js";
export { needsPlanExecutor } from "./needs-plan-executor.js";

export type { PointToPoint } from "./mailbox.js";
