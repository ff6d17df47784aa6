import type { Worker } from "node:worker_threads";
import { DeviceFailure } from "./device-failure.js";
import { ReplyCollector } from "./reply-collector.js";
import { startWorker } from "./worker-url.js";

/** What every device worker may reply instead of an answer: the error it stopped with. */
interface ErrorReply {
  readonly type: "error";
  readonly message: string;
  /** True when this device only stopped because another one failed. */
  readonly aborted: boolean;
}

/**
 * One worker thread per device running `entry`, addressed all together: `request` sends one message to every
 * device and resolves with every reply in device order, or rejects with the first device that really failed
 * (`ReplyCollector`). On that first failure `onAbort` wakes every device still waiting on another. The
 * data-parallel `DevicePool` and the plan executor's `PlanPool` are this with their own entry and messages.
 */
export class ThreadPool<Reply extends { readonly type: string }> {
  private readonly workers: Worker[] = [];
  private readonly collector: ReplyCollector<Reply>;

  /**
   * `devices` names each worker in failures (a rank, or a plan's device id); `entry` is resolved against
   * `base` (the caller's `import.meta.url`), as `startWorker` does.
   */
  constructor(
    readonly devices: readonly number[],
    base: string,
    entry: string,
    onAbort: () => void,
  ) {
    this.collector = new ReplyCollector<Reply>(devices.length, onAbort);
    devices.forEach((device, i) => {
      const worker = startWorker(base, entry);
      worker.on("message", (m: Reply | ErrorReply) => {
        if (m.type !== "error") this.collector.reply(i, m as Reply);
        else this.collector.error(device, (m as ErrorReply).message, (m as ErrorReply).aborted);
      });
      worker.on("error", (e: Error) =>
        this.collector.fail(new DeviceFailure(`device ${device} crashed: ${e.message}`, device)),
      );
      worker.on("exit", (code) =>
        this.collector.fail(new DeviceFailure(`device ${device} exited unexpectedly (code ${code})`, device)),
      );
      this.workers.push(worker);
    });
  }

  /** Sends `make(device)` to every device (transferring `transfer`); resolves with the replies in order. */
  request(make: (device: number) => { message: unknown; transfer?: ArrayBuffer[] }): Promise<Reply[]> {
    return this.collector.request(() =>
      this.workers.forEach((worker, i) => {
        const { message, transfer } = make(this.devices[i]!);
        worker.postMessage(message, transfer ?? []);
      }),
    );
  }

  /** Fault injection for tests and drills: stops `device` the way a crash would. */
  kill(device: number): void {
    void this.workers[this.devices.indexOf(device)]?.terminate();
  }

  async close(): Promise<void> {
    this.collector.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
