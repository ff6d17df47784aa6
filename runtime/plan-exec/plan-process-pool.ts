import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { DeviceFailure } from "../devices/index.js";
import { ProcessPool } from "../process/index.js";
import { type FileDataset, decodeFromChild, encodeToChild } from "./process-frames.js";
import type { FromPlanWorker, ToPlanWorker } from "./protocol.js";
import type { SharedDataset } from "./rows.js";

function writeAll(fd: number, buffer: ArrayBufferLike): void {
  const bytes = new Uint8Array(buffer);
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * One device process per device of a plan (`transport: "process"`), with `PlanPool`'s surface: the children
 * run `plan-child-entry` (the same `PlanReplica` as a worker thread) over a full mesh of named pipes. Failures,
 * cleanup and orphan protection are `ProcessPool`'s; its ranks are the positions in `devices`.
 */
export class PlanProcessPool {
  private readonly pool: ProcessPool;
  private dataset: { source: SharedDataset; file: FileDataset } | null = null;

  constructor(
    readonly devices: readonly number[],
    gpu = false,
  ) {
    this.pool = new ProcessPool(devices.length, {
      gpu,
      entry: { base: import.meta.url, relative: "./plan-child-entry" },
    });
  }

  async request(make: (device: number) => ToPlanWorker): Promise<FromPlanWorker[]> {
    try {
      const replies = await this.pool.requestFrames((rank) => {
        const message = make(this.devices[rank]!);
        return encodeToChild(message, this.devices, this.fileFor(message));
      });
      return replies.map((r) => decodeFromChild(r.header, r.body));
    } catch (error) {
      if (!(error instanceof DeviceFailure)) throw error;
      throw new DeviceFailure(error.message, this.devices[error.device] ?? error.device);
    }
  }

  /** The training set once, in the mesh folder (removed with it), for every device to read. */
  private fileFor(message: ToPlanWorker): FileDataset {
    if (message.type !== "init") return this.dataset?.file ?? EMPTY;
    if (this.dataset?.source === message.train) return this.dataset.file;
    const file = join(this.pool.folder, "train.bin");
    const fd = openSync(file, "w", 0o600);
    try {
      writeAll(fd, message.train.x);
      writeAll(fd, message.train.y);
    } finally {
      closeSync(fd);
    }
    const { x, y, ...shape } = message.train;
    this.dataset = {
      source: message.train,
      file: { ...shape, file, xBytes: x.byteLength, yBytes: y.byteLength },
    };
    return this.dataset.file;
  }

  kill(device: number): void {
    this.pool.kill(this.devices.indexOf(device));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const EMPTY: FileDataset = {
  file: "",
  xBytes: 0,
  yBytes: 0,
  yIsInt: false,
  count: 0,
  sampleShape: [],
  labelShape: [],
};
