import { memcpyRate, timeAllReduce } from "../runtime/train/calibrate.js";
for (const mb of [4, 40]) {
  const m = memcpyRate(mb * 1e6, 20);
  const t = await timeAllReduce(2, mb * 1e6 / 4, 20);
  console.log(mb, "memcpy GB/s", (m / 1e9).toFixed(2), "allreduce best GB/s", (mb * 1e6 / t.best / 1e9).toFixed(2), "mean", (mb * 1e6 / t.mean / 1e9).toFixed(2));
}
