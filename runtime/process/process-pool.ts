import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { DeviceFailure } from "../devices/device-failure.js";
import type { DeviceGroup, ErrorReply } from "../devices/device-group.js";
import type { EntryModule } from "../devices/entry-module.js";
import { ReplyCollector } from "../devices/reply-collector.js";
import { deviceInterrupts } from "./device-interrupts.js";
import { createFifoMesh, removeFifoMesh } from "./fifo-mesh.js";
import { FrameReader } from "./frames.js";
import { SharedFile, decodeMessage, encodeMessage } from "./message-codec.js";
import { spawnDevice } from "./spawn-device.js";

export interface ProcessPoolOptions {
  /** The module each process runs (an engine's entry calling `serveDevice`). */
  readonly entry: EntryModule;
  /** Floats per all-reduce bucket of the pipe collectives. */
  readonly bucket?: number;
  /** Pin device process r to GPU r (CUDA_VISIBLE_DEVICES). */
  readonly gpu?: boolean;
  /** Pin device process r to WebGPU adapter `webgpuAdapters[r % length]` (by name). */
  readonly webgpuAdapters?: readonly string[];
}

/** Replies the transport itself handles: sent unasked by `serveChild`. */
type TransportReply =
  | ErrorReply
  /** Once the mesh is open: what the child runs with. */
  | { readonly type: "hello"; readonly rank: number; readonly cudaVisibleDevices: string | null }
  /** The device process itself got SIGINT / SIGTERM: the parent stops the run cleanly. */
  | { readonly type: "interrupt"; readonly signal: string };

/**
 * One child process per device, running `entry`, addressed all together like `ThreadPool`'s threads: the same
 * messages, carried as frames (`message-codec.ts`), with the processes linked by a full mesh of named pipes
 * (mesh rank = position in `devices`). A child that exits, is killed or reports its own error becomes a
 * `DeviceFailure` naming its device, and every other child is killed at once (their pipe collectives would
 * otherwise wait on the dead peer); children are also killed when this process exits, and exit by themselves
 * when their stdin closes or they are orphaned, so none outlives the run. A child that gets SIGINT / SIGTERM
 * keeps serving and says so (`deviceInterrupts`): the parent decides when to stop.
 */
export class ProcessPool<Message, Reply extends { readonly type: string }> implements DeviceGroup<
  Message,
  Reply
> {
  private readonly children: ChildProcess[] = [];
  private readonly exited: Promise<void>[] = [];
  private readonly mesh: string;
  private readonly shared: SharedFile;
  private readonly visible: (string | null)[] = [];
  private readonly collector: ReplyCollector<Reply>;
  private readonly killAll = (): void => {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
  };
  /** This process is exiting (`process.exit`, e.g. a second Ctrl-C): no child and no temp folder outlives it. */
  private readonly onExit = (): void => {
    this.killAll();
    removeFifoMesh(this.mesh);
  };

  constructor(
    readonly devices: readonly number[],
    options: ProcessPoolOptions,
  ) {
    const size = devices.length;
    this.mesh = createFifoMesh(size);
    this.shared = new SharedFile(join(this.mesh, "shared.bin"));
    // On the first failure every other child is killed: its pipe collectives would wait on the dead peer.
    this.collector = new ReplyCollector<Reply>(size, this.killAll);
    process.on("exit", this.onExit);
    devices.forEach((device, rank) => {
      const child = spawnDevice(options.entry, {
        rank,
        size,
        mesh: this.mesh,
        bucket: options.bucket ?? 1 << 20,
        gpu: options.gpu ?? false,
        ...(options.webgpuAdapters?.length
          ? { adapter: options.webgpuAdapters[rank % options.webgpuAdapters.length]! }
          : {}),
      });
      const reader = new FrameReader(decodeMessage);
      (child.stdio[3] as Readable).on("data", (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) this.onReply(rank, frame.header as Reply | TransportReply);
      });
      // A child killed mid-write closes its stdin: that is reported by its exit, not here.
      child.stdin!.on("error", () => {});
      this.exited.push(
        new Promise((resolve) => {
          // A process that could not be started emits no exit.
          child.on("error", (e) => {
            this.collector.fail(new DeviceFailure(`device ${device} failed to start: ${e.message}`, device));
            if (child.pid === undefined) resolve();
          });
          child.on("exit", (code, signal) => {
            this.collector.fail(
              new DeviceFailure(
                `device ${device} (process ${child.pid}) exited unexpectedly (${signal ?? `code ${code}`})`,
                device,
              ),
            );
            resolve();
          });
        }),
      );
      this.children.push(child);
    });
  }

  /** Sends `make(device)` to every device; resolves with the replies in `devices` order. */
  request(make: (device: number) => Message): Promise<Reply[]> {
    return this.collector.request(() =>
      this.children.forEach((child, rank) =>
        child.stdin!.write(encodeMessage(make(this.devices[rank]!), this.shared)),
      ),
    );
  }

  kill(device: number): void {
    this.children[this.devices.indexOf(device)]?.kill("SIGKILL");
  }

  /** The CUDA_VISIBLE_DEVICES device process `rank` reported (null: unset; undefined: not reported yet). */
  cudaVisibleDevices(rank: number): string | null | undefined {
    return this.visible[rank];
  }

  /** The temp folder of the pipes and the shared file, removed on close (or by rank 0 when orphaned). */
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
    this.shared.close();
    process.off("exit", this.onExit);
    removeFifoMesh(this.mesh);
  }

  private onReply(rank: number, reply: Reply | TransportReply): void {
    const device = this.devices[rank]!;
    const r = reply as TransportReply;
    if (r.type === "interrupt") deviceInterrupts.emit("interrupt", r.signal, rank);
    else if (r.type === "hello") this.visible[rank] = r.cudaVisibleDevices;
    else if (r.type === "error") this.collector.error(device, r.message, r.aborted);
    else this.collector.reply(rank, reply as Reply);
  }
}
