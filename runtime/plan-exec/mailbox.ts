import { CollectiveAborted } from "../collectives/index.js";

/** One producer stage → one consumer stage for one tensor: a slot per micro-batch each way. */
export interface Channel {
  readonly tensor: string;
  readonly from: number;
  readonly to: number;
  /** Floats per slot: the largest micro-batch's rows × the tensor's elements per sample. */
  readonly floats: number;
}

/** Made by the parent, mapped by every worker: point-to-point between pipeline stages over shared memory. */
export interface MailboxLayout {
  readonly channels: readonly Channel[];
  readonly microbatches: number;
  /** One buffer per channel: forward slots then backward slots. */
  readonly data: readonly SharedArrayBuffer[];
  /** Per channel and slot the sequence number last written; the last word is the abort flag. */
  readonly flags: SharedArrayBuffer;
}

export function createMailbox(channels: readonly Channel[], microbatches: number): MailboxLayout {
  return {
    channels,
    microbatches,
    data: channels.map((c) => new SharedArrayBuffer(4 * c.floats * 2 * microbatches)),
    flags: new SharedArrayBuffer(4 * (channels.length * 2 * microbatches + 1)),
  };
}

export function abortMailbox(layout: MailboxLayout): void {
  const flags = new Int32Array(layout.flags);
  Atomics.store(flags, flags.length - 1, 1);
  for (let i = 0; i < flags.length - 1; i++) Atomics.notify(flags, i);
}

export type Direction = "forward" | "backward";

/**
 * Point-to-point between pipeline stages: a send never waits for its receiver; a receive blocks until the
 * message (tensor, consumer stage, direction, micro-batch, step sequence) is there. Shared memory on threads
 * (`Mailbox`), named pipes between processes (`PipeMailbox`).
 */
export interface PointToPoint {
  send(tensor: string, to: number, dir: Direction, micro: number, seq: number, data: Float32Array): void;
  receive(
    tensor: string,
    to: number,
    dir: Direction,
    micro: number,
    seq: number,
    length: number,
  ): Float32Array;
}

/**
 * Send and receive by (tensor, consumer stage, direction, micro-batch). A slot is written once per step (the
 * sequence number is the step + 1) and the parent starts a step only after every device finished the last,
 * so no slot is overwritten before it is read.
 */
export class Mailbox implements PointToPoint {
  private readonly flags: Int32Array;

  constructor(private readonly layout: MailboxLayout) {
    this.flags = new Int32Array(layout.flags);
  }

  private slot(tensor: string, to: number, dir: Direction, micro: number): [number, Float32Array] {
    const c = this.layout.channels.findIndex((ch) => ch.tensor === tensor && ch.to === to);
    if (c < 0) throw new Error(`mailbox: no channel for ${tensor} → stage ${to}`);
    const floats = this.layout.channels[c]!.floats;
    const s = (dir === "forward" ? 0 : this.layout.microbatches) + micro;
    const view = new Float32Array(this.layout.data[c]!, 4 * floats * s, floats);
    return [c * 2 * this.layout.microbatches + s, view];
  }

  send(tensor: string, to: number, dir: Direction, micro: number, seq: number, data: Float32Array): void {
    const [flag, view] = this.slot(tensor, to, dir, micro);
    view.set(data);
    Atomics.store(this.flags, flag, seq);
    Atomics.notify(this.flags, flag);
  }

  /** Blocks until the slot holds sequence `seq`; a copy of its first `length` floats. */
  receive(
    tensor: string,
    to: number,
    dir: Direction,
    micro: number,
    seq: number,
    length: number,
  ): Float32Array {
    const [flag, view] = this.slot(tensor, to, dir, micro);
    const abort = this.flags.length - 1;
    for (;;) {
      const now = Atomics.load(this.flags, flag);
      if (now === seq) break;
      if (Atomics.load(this.flags, abort) !== 0) throw new CollectiveAborted();
      Atomics.wait(this.flags, flag, now, 100);
    }
    return Float32Array.from(view.subarray(0, length));
  }
}
