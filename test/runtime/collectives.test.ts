import { describe, expect, it } from "vitest";
import { bucketedRanges, createSharedLayout, partition } from "../../runtime/collectives/index.js";
import { CHECK_RESULTS, type RankJob, fillPattern, runRank } from "../../runtime/collectives/rank-worker.js";
import { startWorker } from "../../runtime/devices/index.js";

const RANK_WORKER = new URL("../../runtime/collectives/index.ts", import.meta.url).href;

/** Runs rank 0 here and ranks 1..n-1 in worker threads; returns every rank's results. */
async function runGroup(ranks: number, capacity: number, lengths: number[]): Promise<Float32Array[][]> {
  const layout = createSharedLayout(ranks, capacity);
  const job = (rank: number): RankJob => ({ layout, rank, mode: "check", lengths, repeats: 0 });
  const others = Array.from({ length: ranks - 1 }, (_, i) => {
    const worker = startWorker(RANK_WORKER, "./rank-worker", { workerData: job(i + 1) });
    return new Promise<Float32Array[]>((resolve, reject) => {
      worker.once("message", (m: Float32Array[]) => resolve(m));
      worker.once("error", reject);
    });
  });
  // Rank 0 must run concurrently with the workers: give them the event loop until they are started.
  const mine = runRank(job(0));
  return [mine, ...(await Promise.all(others))];
}

describe("shared-memory collectives", () => {
  it("partitions cover every element once, aligned", () => {
    for (const [n, size] of [
      [1, 3],
      [17, 2],
      [1000, 3],
      [4096, 4],
    ] as const) {
      let next = 0;
      for (let r = 0; r < size; r++) {
        const [lo, hi] = partition(n, size, r);
        expect(lo).toBe(next);
        expect(lo % 16 === 0 || lo === n).toBe(true);
        next = hi;
      }
      expect(next).toBe(n);
    }
  });

  it("owned ranges of every rank tile a bucketed vector", () => {
    for (const [length, capacity, size] of [
      [1, 64, 2],
      [3 * 64 + 5, 64, 3],
      [1000, 100, 4],
    ] as const) {
      const all = Array.from({ length: size }, (_, r) => bucketedRanges(length, capacity, size, r))
        .flat()
        .sort((a, b) => a[0] - b[0]);
      let next = 0;
      for (const [lo, hi] of all) {
        expect(lo).toBe(next);
        next = hi;
      }
      expect(next).toBe(length);
    }
  });

  for (const ranks of [2, 3, 4]) {
    it(`all-reduce, reduce-scatter, all-gather and broadcast on ${ranks} ranks, uneven lengths, several buckets`, async () => {
      const capacity = 64;
      const lengths = [1, 17, 100, 3 * capacity + 5];
      const results = await runGroup(ranks, capacity, lengths);
      lengths.forEach((length, k) => {
        const expected = new Float32Array(length);
        const part = new Float32Array(length);
        for (let r = 0; r < ranks; r++) {
          fillPattern(part, r);
          for (let i = 0; i < length; i++) expected[i]! += part[i]!;
        }
        for (let r = 0; r < ranks; r++) {
          const [sum, viaBuckets, gathered, broadcast, scattered, regathered] = results[r]!.slice(
            CHECK_RESULTS * k,
            CHECK_RESULTS * (k + 1),
          );
          expect(Array.from(sum!)).toEqual(Array.from(expected));
          expect(Array.from(viaBuckets!)).toEqual(Array.from(expected));
          expect(Array.from(gathered!)).toEqual(
            Array.from({ length: 3 * ranks }, (_, i) => Math.floor(i / 3)),
          );
          expect(Array.from(broadcast!)).toEqual([ranks - 1, ranks - 1, ranks - 1, ranks - 1, ranks - 1]);
          // Every element owned by exactly one rank, which holds its sum; the all-gather gives all of them.
          const owned = bucketedRanges(length, capacity, ranks, r);
          const mine = new Float32Array(length);
          for (const [lo, hi] of owned) mine.set(expected.subarray(lo, hi), lo);
          expect(Array.from(scattered!)).toEqual(Array.from(mine));
          expect(Array.from(regathered!)).toEqual(Array.from(expected));
        }
      });
    });
  }
});
