import { ProcessPool } from "../process/process-pool.js";
import type { DeviceGroup } from "./device-group.js";
import type { EntryModule } from "./entry-module.js";
import { ThreadPool } from "./thread-pool.js";

export interface StartDevices {
  readonly devices: readonly number[];
  /** The engine's entry module, run by every device on either transport. */
  readonly entry: EntryModule;
  /** Worker threads (default) or one child process per device; `gpu` pins each process to its GPU. */
  readonly transport?: "thread" | "process" | undefined;
  readonly gpu?: boolean | undefined;
  /** Processes: the WebGPU adapter each rank is pinned to, by name, ranks taking them in turn. */
  readonly webgpuAdapters?: readonly string[] | undefined;
  /** Processes: floats per all-reduce bucket of the pipe collectives. */
  readonly bucket?: number | undefined;
  /** Threads: wakes every device waiting in shared memory once one has failed. */
  readonly onAbort?: () => void;
}

/** The devices of a run on the transport asked for, each running `entry`. */
export function startDevices<Message, Reply extends { readonly type: string }>(
  o: StartDevices,
): DeviceGroup<Message, Reply> {
  if (o.transport === "process") {
    return new ProcessPool<Message, Reply>(o.devices, {
      entry: o.entry,
      gpu: o.gpu ?? false,
      ...(o.webgpuAdapters ? { webgpuAdapters: o.webgpuAdapters } : {}),
      bucket: o.bucket ?? 1 << 20,
    });
  }
  return new ThreadPool<Message, Reply>(o.devices, o.entry, o.onAbort ?? (() => {}));
}

/** The replies as the `type` asked for; any other is a protocol error. */
export function repliesOf<Reply extends { readonly type: string }, T extends Reply["type"]>(
  replies: readonly Reply[],
  type: T,
): Extract<Reply, { type: T }>[] {
  return replies.map((r) => {
    if (r.type !== type) throw new Error(`device protocol: expected ${type}, got ${r.type}`);
    return r as Extract<Reply, { type: T }>;
  });
}
