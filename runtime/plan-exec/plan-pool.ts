import type { Worker } from "node:worker_threads";
import { DeviceFailure } from "../devices/index.js";
import { startWorker } from "../devices/worker-url.js";
import type { FromPlanWorker, ToPlanWorker } from "./protocol.js";

interface Pending {
  readonly replies: (FromPlanWorker | undefined)[];
  remaining: number;
  resolve: (replies: FromPlanWorker[]) => void;
  reject: (error: DeviceFailure) => void;
}

/**
 * One worker thread per device of a plan, addressed all together (as runtime/devices' DevicePool, with the plan
 * worker's entry). On the first real failure `onAbort` wakes every device still waiting on another.
 */
export class PlanPool {
  private readonly workers: Worker[] = [];
  private pending: Pending | null = null;
  private failure: DeviceFailure | null = null;
  private closing = false;

  constructor(
    readonly devices: readonly number[],
    private readonly onAbort: () => void,
  ) {
    devices.forEach((device, i) => {
      const worker = startWorker(import.meta.url, "./plan-worker-entry");
      worker.on("message", (m: FromPlanWorker) => this.onMessage(i, device, m));
      worker.on("error", (e: Error) =>
        this.fail(new DeviceFailure(`device ${device} crashed: ${e.message}`, device)),
      );
      worker.on("exit", (code) => {
        if (!this.closing)
          this.fail(new DeviceFailure(`device ${device} exited unexpectedly (code ${code})`, device));
      });
      this.workers.push(worker);
    });
  }

  /** Sends `make(device)` to every device; resolves with the replies in `devices` order. */
  request(make: (device: number) => ToPlanWorker): Promise<FromPlanWorker[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending !== null) throw new Error("PlanPool: one request at a time");
    return new Promise<FromPlanWorker[]>((resolve, reject) => {
      this.pending = {
        replies: new Array(this.workers.length),
        remaining: this.workers.length,
        resolve,
        reject,
      };
      this.workers.forEach((worker, i) => worker.postMessage(make(this.devices[i]!)));
    });
  }

  kill(device: number): void {
    void this.workers[this.devices.indexOf(device)]?.terminate();
  }

  private onMessage(i: number, device: number, message: FromPlanWorker): void {
    if (message.type === "error") {
      const failure = new DeviceFailure(`device ${device}: ${message.message}`, device);
      // A device that only stopped because another failed is not blamed if the real one reports in time.
      if (message.aborted) setTimeout(() => this.fail(failure), 2000);
      else this.fail(failure);
      return;
    }
    const pending = this.pending;
    if (pending === null || pending.replies[i] !== undefined) return;
    pending.replies[i] = message;
    if (--pending.remaining === 0) {
      this.pending = null;
      pending.resolve(pending.replies as FromPlanWorker[]);
    }
  }

  private fail(failure: DeviceFailure): void {
    if (this.failure !== null || this.closing) return;
    this.failure = failure;
    this.onAbort();
    const pending = this.pending;
    this.pending = null;
    pending?.reject(failure);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
