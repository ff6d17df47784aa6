import type { Worker } from "node:worker_threads";
import { DeviceFailure } from "./device-failure.js";
import { startWorker } from "./worker-url.js";

/** What every device worker may reply instead of an answer: the error it stopped with. */
interface ErrorReply {
  readonly type: "error";
  readonly message: string;
  /** True when this device only stopped because another one failed. */
  readonly aborted: boolean;
}

interface Pending<Reply> {
  readonly replies: (Reply | undefined)[];
  remaining: number;
  resolve: (replies: Reply[]) => void;
  reject: (error: DeviceFailure) => void;
}

/**
 * One worker thread per device running `entry`, addressed all together: `request` sends one message to every
 * device and resolves with every reply in device order, or rejects with the first device that really failed
 * (a device that only stopped because the collectives were aborted is not blamed if the real one reports in
 * time). On that first failure `onAbort` wakes every device still waiting on another. The data-parallel
 * `DevicePool` and the plan executor's `PlanPool` are this with their own entry and messages.
 */
export class ThreadPool<Reply extends { readonly type: string }> {
  private readonly workers: Worker[] = [];
  private pending: Pending<Reply> | null = null;
  private failure: DeviceFailure | null = null;
  private closing = false;

  /**
   * `devices` names each worker in failures (a rank, or a plan's device id); `entry` is resolved against
   * `base` (the caller's `import.meta.url`), as `startWorker` does.
   */
  constructor(
    readonly devices: readonly number[],
    base: string,
    entry: string,
    private readonly onAbort: () => void,
  ) {
    devices.forEach((device, i) => {
      const worker = startWorker(base, entry);
      worker.on("message", (m: Reply | ErrorReply) => this.onMessage(i, device, m));
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

  /** Sends `make(device)` to every device (transferring `transfer`); resolves with the replies in order. */
  request(make: (device: number) => { message: unknown; transfer?: ArrayBuffer[] }): Promise<Reply[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending !== null) throw new Error("ThreadPool: one request at a time");
    return new Promise<Reply[]>((resolve, reject) => {
      this.pending = {
        replies: new Array(this.workers.length),
        remaining: this.workers.length,
        resolve,
        reject,
      };
      this.workers.forEach((worker, i) => {
        const { message, transfer } = make(this.devices[i]!);
        worker.postMessage(message, transfer ?? []);
      });
    });
  }

  /** Fault injection for tests and drills: stops `device` the way a crash would. */
  kill(device: number): void {
    void this.workers[this.devices.indexOf(device)]?.terminate();
  }

  private onMessage(i: number, device: number, message: Reply | ErrorReply): void {
    if (message.type === "error") {
      const error = message as ErrorReply;
      if (error.aborted) {
        // Another device failed; its own exit or error names it. Give it a moment to arrive.
        const failure = new DeviceFailure(`device ${device} aborted: ${error.message}`, device);
        setTimeout(() => this.fail(failure), 2000);
        return;
      }
      this.fail(new DeviceFailure(`device ${device}: ${error.message}`, device));
      return;
    }
    const pending = this.pending;
    if (pending === null || pending.replies[i] !== undefined) return;
    pending.replies[i] = message as Reply;
    if (--pending.remaining === 0) {
      this.pending = null;
      pending.resolve(pending.replies as Reply[]);
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
