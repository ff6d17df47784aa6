export { initBackend, listBackends, wasmDistDir } from "./init-backend.js";
export type { BackendAvailability, BackendInfo, BackendPreference } from "./init-backend.js";
export {
  registerWasmGradKernels,
  conv2dBackpropFilter,
  depthwiseBackpropFilter,
  depthwiseBackpropInput,
} from "./conv-backprop-kernels.js";
export { registerUntransposedMatMul } from "./untransposed-matmul.js";
