// The TypeScript emitter is left out on purpose: it loads ts-morph; import `./typescript.js` where it is needed.
export { emitPlan } from "./plan.js";
export { emitSummary } from "./summary.js";
export { emitDot } from "./dot.js";
export { explainJson, explainText } from "./explain.js";
export { emitTorch } from "./torch/index.js";
export { emitKeras } from "./keras/index.js";
