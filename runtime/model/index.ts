export { buildModel } from "./build-model.js";
export { initializeWeights, initializerFor, fans } from "./initialize.js";
export { tfjsLayerName, irNameOf } from "../../compiler/ir/tfjs-layer-names.js";
export { attentionShardForNode, layerForNode } from "./layer-for-node.js";
