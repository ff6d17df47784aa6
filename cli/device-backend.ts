import { createRequire } from "node:module";
import type { Backend } from "../compiler/ir/config.js";
import type { WebgpuProbe } from "../runtime/backend/webgpu-adapters.js";
import { UsageError } from "./exit-codes.js";

/** What a run's devices start: the backend, and for WebGPU the adapters the device processes are pinned to. */
export interface DeviceBackend {
  readonly backend: Backend;
  /** `webgpu`: adapter names, one per device process in turn. */
  readonly webgpuAdapters?: readonly string[];
  /** `webgpu` on real GPUs: how many there are (what `devices: all` means then). */
  readonly gpus?: number;
  /** Said on stderr before the run starts. */
  readonly warnings: readonly string[];
}

const require = createRequire(import.meta.url);

function nativeInstalled(): boolean {
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      require.resolve(pkg);
      return true;
    } catch {
      // not installed
    }
  }
  return false;
}

/** What the choice reads of the machine (tests give their own). */
export interface Machine {
  nativeInstalled(): boolean;
  /** A GPU device node exists (the probe is skipped under `auto` otherwise). */
  mayHaveGpu(): Promise<boolean>;
  probeWebgpu(): Promise<WebgpuProbe>;
}

/** This machine; the runtime's WebGPU module is loaded only when a choice needs it. */
const thisMachine: Machine = {
  nativeInstalled,
  mayHaveGpu: async () => (await import("../runtime/backend/webgpu-adapters.js")).mayHaveGpu(),
  probeWebgpu: async () => (await import("../runtime/backend/webgpu-adapters.js")).probeWebgpu(),
};

/**
 * Resolves `--backend` (or the `parallel` section's `backend:`) for `devices` devices before anything starts.
 * `webgpu` needs an adapter (none: exit 2, saying why) and one process per device; `auto` means native when
 * installed, else WebGPU when this machine has a real GPU adapter (probed only where a GPU device node
 * exists), else wasm in every device.
 */
export async function chooseDeviceBackend(
  requested: Backend,
  devices: number,
  transport: "thread" | "process" | undefined,
  machine: Machine = thisMachine,
): Promise<DeviceBackend> {
  if (requested !== "webgpu" && requested !== "auto") return { backend: requested, warnings: [] };
  if (requested === "auto" && (machine.nativeInstalled() || transport === "thread")) {
    return { backend: "auto", warnings: [] };
  }
  if (requested === "auto" && !(await machine.mayHaveGpu())) return { backend: "auto", warnings: [] };
  const probe = await machine.probeWebgpu();
  const real = probe.adapters.filter((a) => !a.software);
  if (requested === "auto") {
    if (real.length === 0) return { backend: "auto", warnings: [] };
  } else {
    if (probe.adapters.length === 0) {
      throw new UsageError(
        `--backend webgpu: no WebGPU adapter: ${probe.reason ?? "none found"}; ` +
          "see `mgpuc devices`, or give --backend wasm",
      );
    }
    if (transport === "thread") {
      throw new UsageError(
        "--backend webgpu runs one process per device (Dawn holds one adapter per process); " +
          "drop --transport thread",
      );
    }
  }
  // Real GPUs when there are any; else (CI, a machine without a GPU) the software adapters asked for.
  const used = real.length > 0 ? real : probe.adapters;
  const warnings: string[] = [];
  if (devices > used.length) {
    const names = [...new Set(used.map((a) => a.name))].join(", ");
    warnings.push(
      `${devices} WebGPU devices on ${used.length} adapter${used.length === 1 ? "" : "s"} (${names}): ` +
        "device processes share adapters, taking them in turn",
    );
  }
  return {
    backend: "webgpu",
    webgpuAdapters: used.map((a) => a.name),
    ...(real.length > 0 ? { gpus: real.length } : {}),
    warnings,
  };
}
