import { CollectiveProcesses } from "./collective-processes.js";

/**
 * Times the process transport's all-reduce of `floats` floats over `ranks` device processes, `repeats` times
 * after one warm-up, as `timeAllReduce` times the threads' (rank 0's clock, the ranks aligned by a barrier
 * before each repeat): for `calibrate --transport process` and the benchmark.
 */
export async function timeProcessAllReduce(
  ranks: number,
  floats: number,
  repeats: number,
): Promise<{ best: number; mean: number }> {
  const pool = new CollectiveProcesses(ranks, { bucket: Math.min(floats, 1 << 22) });
  try {
    const results = await pool.exercise({ mode: "time", lengths: [floats], repeats: repeats + 1 });
    const times = Array.from(results[0]![0]!).slice(1);
    return { best: Math.min(...times), mean: times.reduce((a, b) => a + b, 0) / times.length };
  } finally {
    await pool.close();
  }
}
