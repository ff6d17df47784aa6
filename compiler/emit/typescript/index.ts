export { emitTypeScript, type EmitTypeScriptInput } from "./emit-typescript.js";
export { IdentifierScope, PROGRAM_NAMES, isPlainIdentifier } from "./identifiers.js";
export { literal, propertyKey, type LiteralValue } from "./literals.js";
export { commentText } from "./comments.js";
export { layerCall, tfjsLayerName, type LayerCall } from "./tfjs-layers.js";
export { isChain } from "./model-function.js";
export { INLINE_PLAN_LAYERS, type PlanInput } from "./plan-literal.js";
export { FlagError, parseDataSource, parseLoss } from "./program-flags.js";
