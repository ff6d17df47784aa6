import { DeviceFailure } from "./device-failure.js";

interface Pending<Reply> {
  readonly replies: (Reply | undefined)[];
  remaining: number;
  resolve: (replies: Reply[]) => void;
  reject: (error: DeviceFailure) => void;
}

/**
 * What every pool of devices does with their replies, whatever carries them (worker threads: `ThreadPool`;
 * child processes: runtime/process's `ProcessPool`): one request at a time, one reply per device, resolved in
 * device order; the first real failure rejects it and every later request, and `onFail` stops the other
 * devices. A device that only stopped because another failed is not blamed if the real one reports in time.
 */
export class ReplyCollector<Reply> {
  private pending: Pending<Reply> | null = null;
  private failure: DeviceFailure | null = null;
  /** Set while the pool shuts down: exits then are expected, not failures. */
  closing = false;

  constructor(
    private readonly size: number,
    private readonly onFail: () => void,
  ) {}

  /** Starts a request (`send` posts it to every device); resolves with every device's reply, in order. */
  request(send: () => void): Promise<Reply[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending !== null) throw new Error("device pool: one request at a time");
    return new Promise<Reply[]>((resolve, reject) => {
      this.pending = { replies: new Array(this.size), remaining: this.size, resolve, reject };
      send();
    });
  }

  /** Device at `index` answered. */
  reply(index: number, reply: Reply): void {
    const pending = this.pending;
    if (pending === null || pending.replies[index] !== undefined) return;
    pending.replies[index] = reply;
    if (--pending.remaining === 0) {
      this.pending = null;
      pending.resolve(pending.replies as Reply[]);
    }
  }

  /** `device` reported an error; `aborted`: it only stopped because another failed. */
  error(device: number, message: string, aborted: boolean): void {
    if (!aborted) {
      this.fail(new DeviceFailure(`device ${device}: ${message}`, device));
      return;
    }
    // Another device failed; its own exit or error names it. Give it a moment to arrive.
    const failure = new DeviceFailure(`device ${device} aborted: ${message}`, device);
    setTimeout(() => this.fail(failure), 2000).unref();
  }

  /** The first failure wins: it rejects the request in flight and every later one. */
  fail(failure: DeviceFailure): void {
    if (this.failure !== null || this.closing) return;
    this.failure = failure;
    this.onFail();
    const pending = this.pending;
    this.pending = null;
    pending?.reject(failure);
  }
}
