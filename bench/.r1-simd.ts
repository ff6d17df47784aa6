import { createSharedMemory, simdAdder } from "../runtime/collectives/simd-add.js";
const n = 4 << 20;
const { memory, buffer } = createSharedMemory(12 * n);
const add2 = simdAdder(memory, 8 * n)!;
console.log("simd", add2 !== null);
const a = new Float32Array(buffer, 0, n).fill(1), b = new Float32Array(buffer, 4 * n, n).fill(2), o = new Float32Array(buffer, 8 * n, n);
for (let k = 0; k < 4; k++) {
  let t = performance.now(); o.set(a); const tc = performance.now() - t;
  t = performance.now(); add2(8 * n, 0, 4 * n, 4 * n); const ta = performance.now() - t;
  console.log("memcpy GB/s", (4 * n / tc / 1e6).toFixed(2), "simd add out GB/s", (4 * n / ta / 1e6).toFixed(2), o[5], o[n - 1]);
}
