import { type SharedLayout, abortShared } from "../collectives/index.js";
import type { FromWorker } from "../train/protocol.js";
import { DeviceFailure } from "./device-failure.js";
import type { DeviceGroup, DeviceRequest } from "./device-group.js";
import { ThreadPool } from "./thread-pool.js";

export { DeviceFailure };

/**
 * One worker thread per CPU device of the data-parallel engine (ranks 0..size−1), addressed all together:
 * `request` resolves with every device's reply, or rejects with the first device that really failed; a failure
 * aborts the shared collectives so no replica waits forever.
 */
export class DevicePool implements DeviceGroup {
  private readonly pool: ThreadPool<FromWorker>;

  constructor(
    readonly size: number,
    layout: SharedLayout,
  ) {
    const ranks = Array.from({ length: size }, (_, rank) => rank);
    this.pool = new ThreadPool<FromWorker>(ranks, import.meta.url, "./worker-entry", () =>
      abortShared(layout),
    );
  }

  /** Sends `make(rank)` to every device; resolves with the replies in rank order. */
  request(make: (rank: number) => DeviceRequest): Promise<FromWorker[]> {
    return this.pool.request(make);
  }

  /** Fault injection for tests and drills: stops device `rank` the way a crash would. */
  kill(rank: number): void {
    this.pool.kill(rank);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
