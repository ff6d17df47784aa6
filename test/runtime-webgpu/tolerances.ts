/**
 * How far WebGPU training may drift from wasm, stated once (docs/webgpu.md says why). The GPU kernels sum in
 * other orders (tiled matMuls, tree reductions) and in places use other formulas (exp, tanh, gelu's erf), so
 * each op differs by a few float32 ulps; over 5 SGD steps with momentum that stays below 1e-3 on weights of
 * order 0.1–1. Two WebGPU devices against one differ only by how the batch gradient is summed (two halves
 * all-reduced), as on wasm: the CPU tests' 1e-4.
 */
export const WEBGPU_VS_WASM = 1e-3;
export const WEBGPU_DEVICES_VS_ONE = 1e-4;
