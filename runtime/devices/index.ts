export { DevicePool } from "./device-pool.js";
export { DeviceFailure } from "./device-failure.js";
export type { DeviceGroup, DeviceRequest } from "./device-group.js";
export { listDevices } from "./list-devices.js";
export type { DeviceInfo } from "./list-devices.js";
export { startWorker } from "./worker-url.js";
