import { ThreadPool } from "../devices/thread-pool.js";
import type { FromPlanWorker, ToPlanWorker } from "./protocol.js";

/**
 * One worker thread per device of a plan, running the plan worker's entry (`ThreadPool`, as the data-parallel
 * engine's DevicePool). On the first real failure `onAbort` wakes every device still waiting on another.
 */
export class PlanPool {
  private readonly pool: ThreadPool<FromPlanWorker>;

  constructor(
    readonly devices: readonly number[],
    onAbort: () => void,
  ) {
    this.pool = new ThreadPool<FromPlanWorker>(devices, import.meta.url, "./plan-worker-entry", onAbort);
  }

  /** Sends `make(device)` to every device; resolves with the replies in `devices` order. */
  request(make: (device: number) => ToPlanWorker): Promise<FromPlanWorker[]> {
    return this.pool.request((device) => ({ message: make(device) }));
  }

  kill(device: number): void {
    this.pool.kill(device);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
