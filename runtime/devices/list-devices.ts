import { availableParallelism, cpus, totalmem } from "node:os";
import { listBackends } from "../backend/index.js";

export interface DeviceInfo {
  readonly id: string;
  readonly kind: "cpu";
  /** The backend its worker will start (the first available of `listBackends()`). */
  readonly backend: string;
  readonly description: string;
}

/** CPU devices: one per core (at most 8), each a worker thread with its own backend. */
export function listDevices(): DeviceInfo[] {
  const cores = availableParallelism();
  const model = cpus()[0]?.model.trim() ?? "CPU";
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  const backend = listBackends().find((b) => b.available)?.name ?? "cpu";
  return Array.from({ length: Math.min(cores, 8) }, (_, i) => ({
    id: `cpu:${i}`,
    kind: "cpu" as const,
    backend,
    description: `worker thread on ${model} (${cores} cores, ${gib} GiB shared)`,
  }));
}
