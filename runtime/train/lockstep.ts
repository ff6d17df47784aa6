import type { Worker } from "node:worker_threads";
import { expectedMaxOfNormals } from "../../compiler/cost/straggler.js";
import { startWorker } from "../devices/index.js";
import type { BackendPreference } from "../backend/init-backend.js";
import { type CalibrationEffort, FULL_EFFORT } from "./calibration-effort.js";

/** The next message of `worker`, or its error or exit as a rejection. */
function next(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) =>
      reject(e instanceof Error ? e : new Error(`calibrate: lockstep worker exited (${String(e)})`));
    worker.once("message", (m) => {
      worker.off("error", fail).off("exit", fail);
      resolve(m);
    });
    worker.once("error", fail).once("exit", fail);
  });
}

/**
 * `computeJitter` as training sees it: `devices` worker threads run the same conv + pool forward and backward
 * in lockstep (a barrier before each round, as a step's all-reduce or a split layer's gather makes them), and
 * each round lasts as long as its slowest device. The slowdown Σ max ÷ Σ mean over the rounds, expressed as
 * the σ/μ that gives it for `devices` normal times: (slowdown − 1) ÷ E[max of `devices` standard normals], so
 * the cost model can scale it to other group sizes. Measured here because one thread alone does not show it:
 * a call's spread alone was σ/μ 0.02–0.2, while two workers' forward + backward differed by ~25% per step.
 */
export async function lockstepJitter(
  devices: number,
  backend: BackendPreference,
  effort: CalibrationEffort = FULL_EFFORT,
): Promise<number> {
  const rounds = effort.lockstepRounds;
  if (devices < 2) return 0;
  const state = new SharedArrayBuffer(8);
  const workers = Array.from({ length: devices }, () =>
    startWorker(import.meta.url, "./lockstep-worker", {
      workerData: { backend, state, devices, iterations: rounds },
    }),
  );
  try {
    await Promise.all(workers.map(next)); // every backend started and warm
    const results = workers.map(next);
    for (const worker of workers) worker.postMessage("go");
    const times = (await Promise.all(results)) as Float64Array[];
    let slowest = 0;
    let mean = 0;
    for (let i = 0; i < rounds; i++) {
      const round = times.map((t) => t[i]!);
      slowest += Math.max(...round);
      mean += round.reduce((a, b) => a + b, 0) / round.length;
    }
    return Math.max(0, slowest / mean - 1) / expectedMaxOfNormals(devices);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
