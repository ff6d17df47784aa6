import { availableParallelism, cpus, totalmem } from "node:os";
import { listBackends } from "../backend/index.js";
import { gpuCount } from "../process/transport.js";
import type { AdapterDescription } from "../backend/webgpu-adapters.js";

export interface DeviceInfo {
  readonly id: string;
  readonly kind: "cpu" | "gpu";
  /** The backend its worker will start (the first available of `listBackends()`). */
  readonly backend: string;
  readonly description: string;
}

/**
 * GPU devices when usable (one child process each, pinned with CUDA_VISIBLE_DEVICES for the native backend,
 * else to a real WebGPU adapter of `gpuAdapters`), else CPU devices: one per core (at most 8), each a worker
 * thread (or a process with `--transport process`) with its own backend.
 */
export function listDevices(gpuAdapters: readonly AdapterDescription[] = []): DeviceInfo[] {
  const gpus = gpuCount();
  if (gpus > 0) {
    return Array.from({ length: gpus }, (_, i) => ({
      id: `gpu:${i}`,
      kind: "gpu" as const,
      backend: "tensorflow",
      description: `child process with CUDA_VISIBLE_DEVICES=${i} (@tensorflow/tfjs-node-gpu)`,
    }));
  }
  if (gpuAdapters.length > 0) {
    return gpuAdapters.map((a, i) => ({
      id: `gpu:${i}`,
      kind: "gpu" as const,
      backend: "webgpu",
      description: `child process pinned to WebGPU adapter '${a.name}' (${a.backend})`,
    }));
  }
  const cores = availableParallelism();
  const model = cpus()[0]?.model.trim() ?? "CPU";
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  // WebGPU devices are processes pinned to adapters (above), never CPU workers.
  const backend = listBackends().find((b) => b.available && b.name !== "webgpu")?.name ?? "cpu";
  return Array.from({ length: Math.min(cores, 8) }, (_, i) => ({
    id: `cpu:${i}`,
    kind: "cpu" as const,
    backend,
    description: `worker thread on ${model} (${cores} cores, ${gib} GiB shared)`,
  }));
}
