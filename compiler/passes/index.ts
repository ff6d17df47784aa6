export type { PassContext } from "../diagnostics/pass-context.js";
export { expandBlocks } from "./expand-blocks.js";
export { lower } from "./lower.js";
export { inferShapes } from "./infer-shapes.js";
export { resolveParallel, resolveTraining } from "./resolve-config.js";
export { checkData, checkInputData } from "./check-data.js";
export { estimateCost } from "../cost/estimate-cost.js";
export { placeLayers } from "./place-layers.js";
export { schedule } from "./schedule.js";
