import type { CollectiveJob } from "../collectives/rank-worker.js";
import { ProcessPool } from "./process-pool.js";

export interface CollectivesDone {
  readonly type: "collectivesDone";
  readonly results: Float32Array[];
}

/**
 * Device processes that run nothing but the pipe collectives (`collectives-entry.ts`): for the tests, the
 * transport benchmark and `timeProcessAllReduce`.
 */
export class CollectiveProcesses extends ProcessPool<CollectiveJob, CollectivesDone> {
  constructor(size: number, options: { readonly bucket?: number; readonly gpu?: boolean } = {}) {
    const devices = Array.from({ length: size }, (_, rank) => rank);
    super(devices, { ...options, entry: { base: import.meta.url, relative: "./collectives-entry" } });
  }

  /** Every rank runs `exerciseCollective(job)`; each rank's arrays. */
  async exercise(job: CollectiveJob): Promise<Float32Array[][]> {
    return (await this.request(() => job)).map((r) => r.results);
  }
}
