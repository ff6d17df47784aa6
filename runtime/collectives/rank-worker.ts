import { parentPort, workerData } from "node:worker_threads";
import { SharedMemoryCollective, type SharedLayout } from "./shared-memory-collective.js";

/**
 * A bare collective rank in a worker, for `calibrate`, the benchmark and the tests: `time` all-reduces
 * `floats` floats `repeats` times; `check` all-reduces the rank-dependent pattern of `fillPattern` for each
 * length and posts the results back.
 */
export interface RankJob {
  readonly layout: SharedLayout;
  readonly rank: number;
  readonly mode: "time" | "check";
  readonly lengths: readonly number[];
  readonly repeats: number;
}

/** Element i of rank r's input: distinct per rank and element, exact in float32 when summed over ≤ 8 ranks. */
export function fillPattern(data: Float32Array, rank: number): void {
  for (let i = 0; i < data.length; i++) data[i] = ((i * 31 + rank * 7) % 1024) - 512 + rank / 4;
}

export function runRank(job: RankJob): Float32Array[] {
  const collective = new SharedMemoryCollective(job.layout, job.rank);
  const out: Float32Array[] = [];
  for (const length of job.lengths) {
    const data = new Float32Array(length);
    fillPattern(data, job.rank);
    if (job.mode === "check") {
      collective.allReduceSum(data);
      out.push(data);
      const gathered = new Float32Array(job.layout.size * 3);
      collective.allGather(new Float32Array([job.rank, job.rank, job.rank]), gathered);
      out.push(gathered);
      const b = new Float32Array(5).fill(job.rank);
      collective.broadcast(b, job.layout.size - 1);
      out.push(b);
    } else {
      for (let r = 0; r < job.repeats; r++) collective.allReduceSum(data);
    }
  }
  return out;
}

if (parentPort !== null && workerData !== null && typeof workerData === "object" && "layout" in workerData) {
  const results = runRank(workerData as RankJob);
  parentPort.postMessage(results);
}
