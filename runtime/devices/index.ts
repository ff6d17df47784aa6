export { DevicePool, DeviceFailure } from "./device-pool.js";
export { listDevices } from "./list-devices.js";
export type { DeviceInfo } from "./list-devices.js";
export { startWorker } from "./worker-url.js";
