import { memcpyRate, timeAllReduce } from "../runtime/train/calibrate.js";
for (let k = 0; k < 3; k++) {
  const m = memcpyRate();
  const floats = 1e7;
  const s = await timeAllReduce(2, floats, 5);
  console.log("memcpy GB/s", (m / 1e9).toFixed(2), "allreduce GB/s", (floats * 4 / s / 1e9).toFixed(2));
}
