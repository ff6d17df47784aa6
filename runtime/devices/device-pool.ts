import type { Worker } from "node:worker_threads";
import { type SharedLayout, abortShared } from "../collectives/index.js";
import type { FromWorker } from "../train/protocol.js";
import { DeviceFailure } from "./device-failure.js";
import type { DeviceGroup, DeviceRequest } from "./device-group.js";
import { startWorker } from "./worker-url.js";

export { DeviceFailure };

interface Pending {
  readonly replies: (FromWorker | undefined)[];
  remaining: number;
  resolve: (replies: FromWorker[]) => void;
  reject: (error: DeviceFailure) => void;
}

/**
 * One worker thread per CPU device, addressed all together: `request` sends one message to every device and
 * resolves with every device's reply, or rejects with the first device that really failed (devices that only
 * stopped because the collectives were aborted are not blamed).
 */
export class DevicePool implements DeviceGroup {
  private readonly workers: Worker[] = [];
  private pending: Pending | null = null;
  private failure: DeviceFailure | null = null;
  private closing = false;

  constructor(
    readonly size: number,
    private readonly layout: SharedLayout,
  ) {
    for (let rank = 0; rank < size; rank++) {
      const worker = startWorker(import.meta.url, "./worker-entry");
      worker.on("message", (m: FromWorker) => this.onMessage(rank, m));
      worker.on("error", (e: Error) =>
        this.fail(new DeviceFailure(`device ${rank} crashed: ${e.message}`, rank)),
      );
      worker.on("exit", (code) => {
        if (!this.closing)
          this.fail(new DeviceFailure(`device ${rank} exited unexpectedly (code ${code})`, rank));
      });
      this.workers.push(worker);
    }
  }

  /** Sends `make(rank)` to every device; resolves with the replies in rank order. */
  request(make: (rank: number) => DeviceRequest): Promise<FromWorker[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending !== null) throw new Error("DevicePool: one request at a time");
    return new Promise<FromWorker[]>((resolve, reject) => {
      this.pending = { replies: new Array(this.size), remaining: this.size, resolve, reject };
      this.workers.forEach((worker, rank) => {
        const { message, transfer } = make(rank);
        worker.postMessage(message, transfer ?? []);
      });
    });
  }

  /** Fault injection for tests and drills: stops device `rank` the way a crash would. */
  kill(rank: number): void {
    void this.workers[rank]?.terminate();
  }

  private onMessage(rank: number, message: FromWorker): void {
    if (message.type === "error") {
      if (message.aborted) {
        // Another device failed; its own exit or error names it. Give it a moment to arrive.
        setTimeout(
          () => this.fail(new DeviceFailure(`device ${rank} aborted: ${message.message}`, rank)),
          2000,
        );
        return;
      }
      this.fail(new DeviceFailure(`device ${rank}: ${message.message}`, rank));
      return;
    }
    const pending = this.pending;
    if (pending === null || pending.replies[rank] !== undefined) return;
    pending.replies[rank] = message;
    if (--pending.remaining === 0) {
      this.pending = null;
      pending.resolve(pending.replies as FromWorker[]);
    }
  }

  private fail(failure: DeviceFailure): void {
    if (this.failure !== null || this.closing) return;
    this.failure = failure;
    abortShared(this.layout);
    const pending = this.pending;
    this.pending = null;
    pending?.reject(failure);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
