export { ProcessPool } from "./process-pool.js";
export type { ProcessPoolOptions } from "./process-pool.js";
export { PipeCollective } from "./pipe-collective.js";
export { createFifoMesh, openFifoMesh, closeFifoMesh, removeFifoMesh } from "./fifo-mesh.js";
export type { MeshEnds } from "./fifo-mesh.js";
export { deviceEnv } from "./spawn-device.js";
export { resolveTransport, gpuCount } from "./transport.js";
export type { Transport } from "./transport.js";
export { timeProcessAllReduce } from "./time-all-reduce.js";
