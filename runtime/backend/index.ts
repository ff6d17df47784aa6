export { initBackend, wasmDistDir } from "./init-backend.js";
export type { BackendInfo, BackendPreference } from "./init-backend.js";
export {
  registerWasmGradKernels,
  conv2dBackpropFilter,
  depthwiseBackpropFilter,
  depthwiseBackpropInput,
} from "./conv-backprop-kernels.js";
