import { readdirSync } from "node:fs";
import { createRequire } from "node:module";

export type Transport = "thread" | "process";

const require = createRequire(import.meta.url);

/** GPUs a device process could use: NVIDIA device nodes, counted only when tfjs-node-gpu is installed. */
export function gpuCount(): number {
  try {
    require.resolve("@tensorflow/tfjs-node-gpu");
  } catch {
    return 0;
  }
  try {
    return readdirSync("/dev").filter((name) => /^nvidia\d+$/.test(name)).length;
  } catch {
    return 0;
  }
}

/**
 * The transport a run uses: the one asked for, else `thread`; GPU devices imply `process` (one process per GPU,
 * each pinned with CUDA_VISIBLE_DEVICES: one CUDA context per process is what the native backend expects).
 */
export function resolveTransport(
  requested: Transport | undefined,
  gpus = gpuCount(),
): { transport: Transport; gpu: boolean } {
  if (gpus > 0) return { transport: "process", gpu: true };
  return { transport: requested ?? "thread", gpu: false };
}
