import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { DeviceFailure } from "../devices/device-failure.js";
import { ReplyCollector } from "../devices/reply-collector.js";
import type { DeviceGroup, DeviceRequest } from "../devices/device-group.js";
import type { FromWorker, InitMessage, ToWorker } from "../train/protocol.js";
import type { CollectiveJob } from "../collectives/rank-worker.js";
import type { ChildMessage, ChildReply } from "./child-protocol.js";
import { deviceInterrupts } from "./device-interrupts.js";
import { createFifoMesh, removeFifoMesh } from "./fifo-mesh.js";
import { FrameReader, encodeFrame, unpackFloats } from "./frames.js";
import { writeInitFile } from "./init-file.js";
import { spawnDevice } from "./spawn-device.js";

export interface ProcessPoolOptions {
  readonly bucket?: number;
  readonly gpu?: boolean;
  /** Another child entry (the plan executor's); its replies must use the `hello` / `error` frames too. */
  readonly entry?: { readonly base: string; readonly relative: string };
}

type Reply = { header: ChildReply; body: Uint8Array };

/**
 * One child process per device, addressed all together like `DevicePool`'s threads. A child that exits, is
 * killed or reports its own error becomes a `DeviceFailure` naming it, and every other child is killed at once
 * (their pipe collectives would otherwise wait on the dead peer); children are also killed when this process
 * exits, and exit by themselves when their stdin closes or they are orphaned, so none outlives the run. A child
 * that gets SIGINT / SIGTERM keeps serving and says so (`deviceInterrupts`): the parent decides when to stop.
 */
export class ProcessPool implements DeviceGroup {
  private readonly children: ChildProcess[] = [];
  private readonly exited: Promise<void>[] = [];
  private readonly mesh: string;
  private readonly visible: (string | null)[] = [];
  private readonly collector: ReplyCollector<Reply>;
  private initFile: {
    source: InitMessage["train"];
    header: Omit<ChildMessage & { type: "init" }, "rank">;
  } | null = null;
  private readonly killAll = (): void => {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
  };
  /** This process is exiting (`process.exit`, e.g. a second Ctrl-C): no child and no temp folder outlives it. */
  private readonly onExit = (): void => {
    this.killAll();
    removeFifoMesh(this.mesh);
  };

  constructor(
    readonly size: number,
    options: ProcessPoolOptions = {},
  ) {
    this.mesh = createFifoMesh(size);
    // On the first failure every other child is killed: its pipe collectives would wait on the dead peer.
    this.collector = new ReplyCollector<Reply>(size, this.killAll);
    process.on("exit", this.onExit);
    for (let rank = 0; rank < size; rank++) {
      const child = spawnDevice({
        rank,
        size,
        mesh: this.mesh,
        bucket: options.bucket ?? 1 << 20,
        gpu: options.gpu ?? false,
        ...(options.entry ? { entry: options.entry } : {}),
      });
      const reader = new FrameReader();
      (child.stdio[3] as Readable).on("data", (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) this.onReply(rank, frame.header as ChildReply, frame.body);
      });
      // A child killed mid-write closes its stdin: that is reported by its exit, not here.
      child.stdin!.on("error", () => {});
      this.exited.push(
        new Promise((resolve) => {
          // A process that could not be started emits no exit.
          child.on("error", (e) => {
            this.collector.fail(new DeviceFailure(`device ${rank} failed to start: ${e.message}`, rank));
            if (child.pid === undefined) resolve();
          });
          child.on("exit", (code, signal) => {
            this.collector.fail(
              new DeviceFailure(
                `device ${rank} (process ${child.pid}) exited unexpectedly (${signal ?? `code ${code}`})`,
                rank,
              ),
            );
            resolve();
          });
        }),
      );
      this.children.push(child);
    }
  }

  async request(make: (rank: number) => DeviceRequest): Promise<FromWorker[]> {
    const replies = await this.send((rank) => this.encode(make(rank).message));
    return replies.map(({ header, body }) => decode(header, body));
  }

  /** Tests and the benchmark: every rank runs `exerciseCollective(job)`; each rank's arrays. */
  async exercise(job: CollectiveJob): Promise<Float32Array[][]> {
    const replies = await this.send(() => encodeFrame({ type: "collectives", ...job }));
    return replies.map(({ header, body }) => {
      if (header.type !== "collectivesDone") throw new Error(`device protocol: got ${header.type}`);
      return unpackFloats(body, header.lengths);
    });
  }

  /** One frame to every rank (`make(rank)`, already encoded); each rank's reply frame, in rank order. */
  async requestFrames(make: (rank: number) => Uint8Array): Promise<{ header: unknown; body: Uint8Array }[]> {
    return this.send(make);
  }

  /** Fault injection for tests and drills: kills device `rank` the way a crash would. */
  kill(rank: number): void {
    this.children[rank]?.kill("SIGKILL");
  }

  /** The CUDA_VISIBLE_DEVICES device `rank` reported (null: unset; undefined: not reported yet). */
  cudaVisibleDevices(rank: number): string | null | undefined {
    return this.visible[rank];
  }

  /** The temp folder of the pipes and the init file, removed on close (or by rank 0 when orphaned). */
  get folder(): string {
    return this.mesh;
  }

  pid(rank: number): number | undefined {
    return this.children[rank]?.pid;
  }

  async close(): Promise<void> {
    this.collector.closing = true;
    for (const child of this.children) child.stdin?.end();
    const timer = setTimeout(this.killAll, 2000);
    await Promise.all(this.exited);
    clearTimeout(timer);
    process.off("exit", this.onExit);
    removeFifoMesh(this.mesh);
  }

  private encode(message: ToWorker): Uint8Array {
    switch (message.type) {
      case "init": {
        if (this.initFile?.source !== message.train) {
          const header = { ...writeInitFile(message, join(this.mesh, "init.bin")), type: "init" as const };
          this.initFile = { source: message.train, header };
        }
        return encodeFrame({ ...this.initFile.header, rank: message.rank });
      }
      case "step": {
        const i = message.indices;
        return encodeFrame(
          { type: "step", step: message.step },
          new Uint8Array(i.buffer, i.byteOffset, i.byteLength),
        );
      }
      default:
        return encodeFrame(message);
    }
  }

  private send(make: (rank: number) => Uint8Array): Promise<Reply[]> {
    return this.collector.request(() =>
      this.children.forEach((child, rank) => child.stdin!.write(make(rank))),
    );
  }

  private onReply(rank: number, header: ChildReply, body: Uint8Array): void {
    if (header.type === "interrupt") deviceInterrupts.emit("interrupt", header.signal, rank);
    else if (header.type === "hello") this.visible[rank] = header.cudaVisibleDevices;
    else if (header.type === "error") this.collector.error(rank, header.message, header.aborted);
    else this.collector.reply(rank, { header, body });
  }
}

function decode(header: ChildReply, body: Uint8Array): FromWorker {
  switch (header.type) {
    case "ready":
      return { type: "ready", backend: header.backend };
    case "state": {
      const arrays = unpackFloats(body, header.lengths);
      const weights = arrays.slice(0, arrays.length - header.slots.length);
      const data = arrays.slice(weights.length);
      return {
        type: "state",
        weights,
        optimizerState: header.slots.map((s, i) => ({ ...s, data: data[i]! })),
      };
    }
    case "collectivesDone":
    case "hello":
    case "interrupt":
      throw new Error(`device protocol: unexpected ${header.type}`);
    default:
      return header;
  }
}
