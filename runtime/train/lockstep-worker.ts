import { parentPort, workerData } from "node:worker_threads";
import { initBackend } from "../backend/index.js";
import { convPoolCall } from "./fixed-costs.js";
import type { BackendPreference } from "../backend/init-backend.js";

/**
 * A device of `lockstepSlowdown`: the backend started as a device starts it, a warm-up, "ready"; then on "go"
 * `iterations` rounds of (barrier with the other devices, one conv + pool forward and backward, timed), and
 * the times posted back.
 */
const { backend, state, devices, iterations } = workerData as {
  backend: BackendPreference;
  state: SharedArrayBuffer;
  devices: number;
  iterations: number;
};
await initBackend(backend);
const call = convPoolCall();
for (let i = 0; i < 5; i++) await call.run();
const shared = new Int32Array(state);

/** A reusable barrier: [arrived, generation]. The last to arrive resets the count and wakes the others. */
function barrier(): void {
  const generation = Atomics.load(shared, 1);
  if (Atomics.add(shared, 0, 1) === devices - 1) {
    Atomics.store(shared, 0, 0);
    Atomics.add(shared, 1, 1);
    Atomics.notify(shared, 1);
    return;
  }
  while (Atomics.load(shared, 1) === generation) Atomics.wait(shared, 1, generation);
}

async function rounds(): Promise<Float64Array> {
  const times = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    barrier();
    const t0 = performance.now();
    await call.run();
    times[i] = performance.now() - t0;
  }
  call.dispose();
  return times;
}

parentPort!.once("message", () => {
  void rounds().then((times) => parentPort!.postMessage(times));
});
parentPort!.postMessage("ready");
