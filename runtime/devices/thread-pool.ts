import type { Worker } from "node:worker_threads";
import { DeviceFailure } from "./device-failure.js";
import type { DeviceGroup, ErrorReply } from "./device-group.js";
import type { EntryModule } from "./entry-module.js";
import { startWorker } from "./entry-module.js";
import { ReplyCollector } from "./reply-collector.js";

/**
 * One worker thread per device running `entry` (an engine's module that calls `serveDevice`), addressed all
 * together: messages go by `postMessage` (shared memory in them is shared, not copied). A worker that exits,
 * throws or reports an error of its own is a `DeviceFailure` naming its device (`ReplyCollector`); on that
 * first failure `onAbort` wakes every device still waiting on another (the engine aborts its shared
 * collectives and stage links).
 */
export class ThreadPool<Message, Reply extends { readonly type: string }> implements DeviceGroup<
  Message,
  Reply
> {
  private readonly workers: Worker[] = [];
  private readonly collector: ReplyCollector<Reply>;

  constructor(
    readonly devices: readonly number[],
    entry: EntryModule,
    onAbort: () => void,
  ) {
    this.collector = new ReplyCollector<Reply>(devices.length, onAbort);
    devices.forEach((device, i) => {
      const worker = startWorker(entry.base, entry.relative);
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

  /** Sends `make(device)` to every device; resolves with the replies in `devices` order. */
  request(make: (device: number) => Message): Promise<Reply[]> {
    return this.collector.request(() =>
      this.workers.forEach((worker, i) => worker.postMessage(make(this.devices[i]!))),
    );
  }

  kill(device: number): void {
    void this.workers[this.devices.indexOf(device)]?.terminate();
  }

  async close(): Promise<void> {
    this.collector.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
