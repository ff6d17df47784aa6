import { parentPort, workerData } from "node:worker_threads";
import { initBackend } from "../backend/index.js";
import { adamUpdateCall, convPoolCall } from "./fixed-costs.js";
import type { BackendPreference } from "../backend/init-backend.js";
import { type RoundTimes, isSoloRound } from "./lockstep-rounds.js";

/**
 * A device of `lockstepCosts`: the backend started as a device starts it, a warm-up, "ready"; then on "go"
 * `iterations` rounds of (barrier with the other devices, one conv + pool forward and backward, barrier, an
 * Adam update; each timed, and in solo rounds only on rank 0), and the two lists of times posted back.
 */
const { backend, state, devices, iterations, rank } = workerData as {
  backend: BackendPreference;
  state: SharedArrayBuffer;
  devices: number;
  iterations: number;
  rank: number;
};
await initBackend(backend);
const call = convPoolCall();
const update = adamUpdateCall();
for (let i = 0; i < 5; i++) {
  await call.run();
  await update.run();
}
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

async function rounds(): Promise<RoundTimes> {
  const compute = new Float64Array(iterations).fill(Number.NaN);
  const updates = new Float64Array(iterations).fill(Number.NaN);
  for (let i = 0; i < iterations; i++) {
    // Rank 0 alone in solo rounds: the others wait at the barriers.
    const works = rank === 0 || !isSoloRound(i);
    barrier();
    const t0 = performance.now();
    if (works) await call.run();
    compute[i] = performance.now() - t0;
    // As a step's all-reduce does, a barrier before the update: the devices' updates run at the same time.
    barrier();
    const t1 = performance.now();
    if (works) await update.run();
    updates[i] = performance.now() - t1;
    if (!works) compute[i] = updates[i] = Number.NaN;
  }
  call.dispose();
  update.dispose();
  return { compute, update: updates };
}

parentPort!.once("message", () => {
  void rounds().then((times) => parentPort!.postMessage(times));
});
parentPort!.postMessage("ready");
