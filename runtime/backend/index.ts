export {
  initBackend,
  listBackends,
  preferWasmForMath,
  registerDilatedConvTraining,
  wasmDistDir,
} from "./init-backend.js";
export type { BackendAvailability, BackendInfo, BackendPreference } from "./init-backend.js";
export {
  registerWasmGradKernels,
  conv2dBackpropFilter,
  depthwiseBackpropFilter,
  depthwiseBackpropInput,
} from "./conv-backprop-kernels.js";
export { registerUntransposedMatMul } from "./untransposed-matmul.js";
export { registerTileGradient, tileGradient } from "./tile-gradient.js";
export {
  dilatedConv2dGradients,
  dilatedConv2dInputGradient,
  dilatedDepthwiseGradients,
  registerDilatedConvGradients,
} from "./dilated-conv-gradients.js";
export { patchDilatedConvLayers } from "./dilated-conv-layers.js";
