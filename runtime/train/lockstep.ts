import type { Worker } from "node:worker_threads";
import { expectedMaxOfNormals } from "../../compiler/cost/straggler.js";
import { startWorker } from "../devices/index.js";
import type { BackendPreference } from "../backend/init-backend.js";
import { type CalibrationEffort, FULL_EFFORT } from "./calibration-effort.js";
import { type RoundTimes, isSoloRound } from "./lockstep-rounds.js";

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

/** What `devices` devices computing in lockstep cost beyond one device alone (DeviceProfile's ratios). */
export interface LockstepCosts {
  /** σ/μ of a device's time for the same work, from the wait for the slowest: `computeJitter`. */
  readonly jitter: number;
  /** A device's forward + backward time while all compute ÷ its time alone: `concurrencySlowdown`, ≥ 1. */
  readonly slowdown: number;
  /** The same for the optimizer update's memory-bound kernels: `concurrencyUpdateSlowdown`, ≥ 1. */
  readonly updateSlowdown: number;
}

/**
 * `computeJitter` and the two concurrency slowdowns as training sees them: `devices` worker threads run the
 * same rounds (a barrier, a conv + pool forward and backward, a barrier as a step's all-reduce makes, an Adam
 * update of a 2 MB weight); in every third round rank 0 runs alone (`isSoloRound`).
 * - Jitter: the slowdown Σ max ÷ Σ mean of the group's rounds, expressed as the σ/μ that gives it for
 *   `devices` normal times: (slowdown − 1) ÷ E[max of `devices` standard normals], so the cost model can
 *   scale it to other group sizes. Measured here because one thread alone does not show it: a call's spread
 *   alone was σ/μ 0.02–0.2, while two workers' forward + backward differed by ~25% per step.
 * - Slowdowns: the group's median round (its devices' mean) over rank 0's median solo round, the forward +
 *   backward and the update apart (medians: one descheduled round scatters a mean by more than the effect).
 *   Two threads on the 2-core build VM: 1.03–1.09 and 1.07–1.10.
 */
export async function lockstepCosts(
  devices: number,
  backend: BackendPreference,
  effort: CalibrationEffort = FULL_EFFORT,
): Promise<LockstepCosts> {
  if (devices < 2) return { jitter: 0, slowdown: 1, updateSlowdown: 1 };
  // `lockstepRounds` of the group, half as many solo (alone, a round's spread is small).
  const total = Math.ceil(effort.lockstepRounds * 1.5);
  const times = await lockstepRounds(devices, backend, total);
  const group = Array.from({ length: total }, (_, i) => i).filter((i) => !isSoloRound(i));
  const solo = Array.from({ length: total }, (_, i) => i).filter(isSoloRound);
  const meanOf = (part: keyof RoundTimes, i: number) =>
    times.reduce((sum, t) => sum + t[part][i]!, 0) / times.length;
  let slowest = 0;
  let mean = 0;
  for (const i of group) {
    // Each phase ends at a barrier, so each waits for its own slowest device.
    slowest += Math.max(...times.map((t) => t.compute[i]!)) + Math.max(...times.map((t) => t.update[i]!));
    mean += meanOf("compute", i) + meanOf("update", i);
  }
  const ratio = (part: keyof RoundTimes) =>
    Math.max(1, median(group.map((i) => meanOf(part, i))) / median(solo.map((i) => times[0]![part][i]!)));
  return {
    jitter: Math.max(0, slowest / mean - 1) / expectedMaxOfNormals(devices),
    slowdown: ratio("compute"),
    updateSlowdown: ratio("update"),
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Each of `devices` workers' round times over `rounds` lockstep rounds (NaN where it sat a solo round out). */
async function lockstepRounds(
  devices: number,
  backend: BackendPreference,
  rounds: number,
): Promise<RoundTimes[]> {
  const state = new SharedArrayBuffer(8);
  const workers = Array.from({ length: devices }, (_, rank) =>
    startWorker(import.meta.url, "./lockstep-worker", {
      workerData: { backend, state, devices, iterations: rounds, rank },
    }),
  );
  try {
    await Promise.all(workers.map(next)); // every backend started and warm
    const results = workers.map(next);
    for (const worker of workers) worker.postMessage("go");
    return (await Promise.all(results)) as RoundTimes[];
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
