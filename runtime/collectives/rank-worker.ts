import { parentPort, workerData } from "node:worker_threads";
import type { Collective } from "./collective.js";
import { SharedMemoryCollective, type SharedLayout } from "./shared-memory-collective.js";

/**
 * A bare collective rank in a worker, for `calibrate`, the benchmark and the tests: `time` all-reduces each
 * length `repeats` times and returns each repeat's seconds; `check` runs every collective on the rank-dependent pattern of `fillPattern`
 * for each length and posts the results back (`CHECK_RESULTS` arrays per length).
 */
export interface RankJob {
  readonly layout: SharedLayout;
  readonly rank: number;
  /**
   * `time-in-place`: the trainer's form: input copied into the shared bucket, the sum read where it lies;
   * `time-reduce-scatter` and `time-all-gather` the same for each half on its own (ZeRO-1's collectives).
   */
  readonly mode: "time" | "time-in-place" | "time-reduce-scatter" | "time-all-gather" | "check";
  readonly lengths: readonly number[];
  readonly repeats: number;
}

/** Arrays a `check` job returns per length: all-reduce, bucketed all-reduce, all-gather, broadcast, reduce-scatter, bucketed all-gather. */
export const CHECK_RESULTS = 6;

/** Element i of rank r's input: distinct per rank and element, exact in float32 when summed over ≤ 8 ranks. */
export function fillPattern(data: Float32Array, rank: number, start = 0): void {
  for (let i = 0; i < data.length; i++) data[i] = (((start + i) * 31 + rank * 7) % 1024) - 512 + rank / 4;
}

/** The trainer turns summed buckets into tensors where they lie: no copy back to a private array. */
const READ_IN_PLACE = (): void => {};

export function runRank(job: RankJob): Float32Array[] {
  return exerciseCollective(new SharedMemoryCollective(job.layout, job.rank), job);
}

/** What `runRank` does, on any transport (the process transport's ranks run it too). */
export type CollectiveJob = Pick<RankJob, "mode" | "lengths" | "repeats">;

export function exerciseCollective(collective: Collective, job: CollectiveJob): Float32Array[] {
  const size = collective.size;
  const rank = collective.rank;
  const out: Float32Array[] = [];
  for (const length of job.lengths) {
    const data = new Float32Array(length);
    fillPattern(data, rank);
    if (job.mode === "check") {
      collective.allReduceSum(data);
      out.push(data);
      const viaBuckets = new Float32Array(length);
      collective.allReduceSumWith(
        length,
        (slot, start) => fillPattern(slot, rank, start),
        (sum, start) => viaBuckets.set(sum, start),
      );
      out.push(viaBuckets);
      const gathered = new Float32Array(size * 3);
      collective.allGather(new Float32Array([rank, rank, rank]), gathered);
      out.push(gathered);
      const b = new Float32Array(5).fill(rank);
      collective.broadcast(b, size - 1);
      out.push(b);
      // Reduce-scatter: the sums at this rank's owned elements (zeros elsewhere); then all-gather them back.
      const scattered = new Float32Array(length);
      collective.reduceScatterSumWith(
        length,
        (slot, start) => fillPattern(slot, rank, start),
        (sum, start) => scattered.set(sum, start),
      );
      out.push(scattered);
      const regathered = new Float32Array(length);
      collective.allGatherWith(
        length,
        (part, start) => part.set(scattered.subarray(start, start + part.length)),
        (all, start) => regathered.set(all, start),
      );
      out.push(regathered);
    } else {
      // Seconds of each repeat, the ranks aligned by a barrier before each.
      const times = new Float32Array(job.repeats);
      for (let r = 0; r < job.repeats; r++) {
        collective.barrier();
        const t0 = performance.now();
        const copyIn = (slot: Float32Array, start: number) =>
          slot.set(data.subarray(start, start + slot.length));
        if (job.mode === "time") collective.allReduceSum(data);
        else if (job.mode === "time-reduce-scatter")
          collective.reduceScatterSumWith(length, copyIn, READ_IN_PLACE);
        else if (job.mode === "time-all-gather") collective.allGatherWith(length, copyIn, READ_IN_PLACE);
        else collective.allReduceSumWith(length, copyIn, READ_IN_PLACE);
        times[r] = (performance.now() - t0) / 1000;
      }
      out.push(times);
    }
  }
  return out;
}

if (parentPort !== null && workerData !== null && typeof workerData === "object" && "layout" in workerData) {
  const results = runRank(workerData as RankJob);
  parentPort.postMessage(results);
}
