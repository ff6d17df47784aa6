import { readSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { Plan } from "../../compiler/plan/index.js";
import { CollectiveAborted } from "../collectives/index.js";
import { type MeshEnds, encodeFrame } from "../process/index.js";
import type { Direction, PointToPoint } from "./mailbox.js";
import { stagesOf } from "./stage-layout.js";

/**
 * Writes frames to one pipe, in order, off the compute thread: a send must never wait for its receiver (a
 * stage that blocks on a full pipe while its receiver waits on that stage's own collective would deadlock), so
 * each peer's pipe gets a thread that absorbs the wait. A peer that is gone (EPIPE) is the parent's to report.
 */
const WRITER = `
const { parentPort } = require("node:worker_threads");
const { writeSync } = require("node:fs");
let broken = false;
parentPort.on("message", ({ fd, frame }) => {
  if (broken) return;
  try {
    for (let at = 0; at < frame.length; ) at += writeSync(fd, frame, at, frame.length - at);
  } catch {
    broken = true;
  }
});
`;

interface Header {
  readonly tensor: string;
  readonly to: number;
  readonly dir: Direction;
  readonly micro: number;
  readonly seq: number;
}

function keyOf(h: Header): string {
  return `${h.tensor}\u0000${h.to}\u0000${h.dir}\u0000${h.micro}\u0000${h.seq}`;
}

function readFully(fd: number, into: Uint8Array): void {
  let at = 0;
  while (at < into.length) {
    let n: number;
    try {
      n = readSync(fd, into, at, into.length - at, null);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "EAGAIN") continue;
      throw new CollectiveAborted(`stage link aborted: a peer process is gone (${code ?? String(error)})`);
    }
    if (n === 0) throw new CollectiveAborted("stage link aborted: a peer process is gone (EOF)");
    at += n;
  }
}

/**
 * The `Mailbox` of a device process: point-to-point between stages over the named pipes of the device mesh
 * (pipes between devices of different stages carry nothing else). Frames are a small JSON header (which
 * message) and the floats as the binary body. A forward output goes from the producer stage's rank 0 to every
 * device of the consumer stage; a gradient from the consumer stage's rank 0 to every device of the producer
 * stage, as every device of a stage reads the shared-memory slot on threads. Messages from one peer arrive in
 * its send order; one read ahead of the one awaited is kept until it is asked for.
 */
export class PipeMailbox implements PointToPoint {
  private readonly stageDevices: (readonly number[])[];
  private readonly producer = new Map<string, number>();
  private readonly early = new Map<string, Float32Array>();
  private readonly writers = new Map<number, Worker>();

  constructor(
    plan: Plan,
    private readonly device: number,
    /** Every device of the plan in mesh-rank order. */
    private readonly devices: readonly number[],
    private readonly ends: MeshEnds,
  ) {
    this.stageDevices = stagesOf(plan).map((s) => s.devices);
    for (const l of plan.layers) this.producer.set(l.name, l.placement.stage);
  }

  private rank(device: number): number {
    return this.devices.indexOf(device);
  }

  private stageOf(tensor: string): number {
    const stage = this.producer.get(tensor);
    if (stage === undefined) throw new Error(`pipe mailbox: no layer ${tensor}`);
    return stage;
  }

  send(tensor: string, to: number, dir: Direction, micro: number, seq: number, data: Float32Array): void {
    const targets = this.stageDevices[dir === "forward" ? to : this.stageOf(tensor)] ?? [];
    const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (const d of targets) {
      if (d === this.device) continue;
      const fd = this.ends.send[this.rank(d)]!;
      let writer = this.writers.get(fd);
      if (writer === undefined) {
        writer = new Worker(WRITER, { eval: true });
        writer.unref();
        this.writers.set(fd, writer);
      }
      const frame = encodeFrame({ tensor, to, dir, micro, seq } satisfies Header, body);
      writer.postMessage({ fd, frame }, [frame.buffer as ArrayBuffer]);
    }
  }

  receive(
    tensor: string,
    to: number,
    dir: Direction,
    micro: number,
    seq: number,
    length: number,
  ): Float32Array {
    const source = this.stageDevices[dir === "forward" ? this.stageOf(tensor) : to]?.[0];
    if (source === undefined) throw new Error(`pipe mailbox: no sender for ${tensor}`);
    const wanted = keyOf({ tensor, to, dir, micro, seq });
    const fd = this.ends.recv[this.rank(source)]!;
    for (;;) {
      const got = this.early.get(`${source}\u0000${wanted}`);
      if (got !== undefined) {
        this.early.delete(`${source}\u0000${wanted}`);
        return got.slice(0, length);
      }
      const head = new Uint8Array(8);
      readFully(fd, head);
      const view = new DataView(head.buffer);
      const json = new Uint8Array(view.getUint32(0, true));
      const body = new Uint8Array(view.getUint32(4, true));
      readFully(fd, json);
      readFully(fd, body);
      const header = JSON.parse(new TextDecoder().decode(json)) as Header;
      this.early.set(`${source}\u0000${keyOf(header)}`, new Float32Array(body.buffer));
    }
  }

  close(): Promise<number[]> {
    return Promise.all([...this.writers.values()].map((w) => w.terminate()));
  }
}
