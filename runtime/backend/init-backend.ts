import { createRequire } from "node:module";
import type { Backend } from "../../compiler/ir/config.js";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { registerTileGradient } from "./tile-gradient.js";
import { patchLayerNormalization } from "./layer-norm-broadcast.js";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerWasmGradKernels } from "./conv-backprop-kernels.js";
import { registerDilatedConvGradients } from "./dilated-conv-gradients.js";
import { patchDilatedConvLayers } from "./dilated-conv-layers.js";
import { registerUntransposedMatMul } from "./untransposed-matmul.js";
import { registerWasmSegmentSum } from "./segment-sum-kernel.js";
import { startWebgpu } from "./webgpu-backend.js";
import { missingWebgpuPackage } from "./webgpu-binding.js";

/**
 * `native` = `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`, whichever is installed; `webgpu` = tfjs's
 * WebGPU backend on Dawn's Node binding (optional packages `webgpu` and `@tensorflow/tfjs-backend-webgpu`).
 */
export type BackendPreference = Backend;

export interface BackendInfo {
  /** The tfjs backend name in use: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  readonly name: string;
  /** What was loaded and why, for `mgpuc devices` and the start of a run. */
  readonly detail: string;
}

const require = createRequire(import.meta.url);

/** The native bindings are optional dependencies: import them by a computed name so nothing breaks without. */
async function tryNative(): Promise<string | null> {
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      require.resolve(pkg);
    } catch {
      continue;
    }
    try {
      await import(pkg);
      if (await tf.setBackend("tensorflow")) return pkg;
    } catch {
      // Installed but unloadable (no libtensorflow, no CUDA): fall through to wasm.
    }
  }
  return null;
}

export function wasmDistDir(): string {
  return join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
}

let wasmConfigured = false;

async function tryWasm(): Promise<boolean> {
  try {
    if (!wasmConfigured) {
      setWasmPaths(wasmDistDir());
      // One thread per worker: parallelism comes from the workers themselves.
      setThreadsCount(1);
      wasmConfigured = true;
    }
    registerWasmGradKernels();
    registerUntransposedMatMul();
    registerWasmSegmentSum();
    return await tf.setBackend("wasm");
  } catch {
    return false;
  }
}

export interface BackendAvailability {
  readonly name: "tensorflow" | "webgpu" | "wasm" | "cpu";
  readonly package: string;
  readonly available: boolean;
  readonly note: string;
}

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** What `mgpuc devices` lists: which backends this installation could use, best first, without loading them. */
export function listBackends(): BackendAvailability[] {
  const gpu = installed("@tensorflow/tfjs-node-gpu");
  const node = installed("@tensorflow/tfjs-node");
  return [
    {
      name: "tensorflow",
      package: gpu ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node",
      available: gpu || node,
      note: gpu || node ? "native libtensorflow (used first)" : "not installed (optional dependency)",
    },
    {
      name: "webgpu",
      package: "@tensorflow/tfjs-backend-webgpu",
      available: missingWebgpuPackage() === null,
      note:
        missingWebgpuPackage() === null
          ? "WebGPU on Dawn (npm webgpu), one process per adapter: see the adapters below"
          : "not installed (optional dependencies webgpu, @tensorflow/tfjs-backend-webgpu)",
    },
    {
      name: "wasm",
      package: "@tensorflow/tfjs-backend-wasm",
      available: installed("@tensorflow/tfjs-backend-wasm"),
      note: "SIMD, one thread per device; conv backprop kernels added by mgpuc",
    },
    { name: "cpu", package: "@tensorflow/tfjs", available: true, note: "pure JavaScript fallback" },
  ];
}

/**
 * What tfjs lacks to train dilated convolutions, whatever the backend: gradients for dilated `Conv2D` and
 * `DepthwiseConv2dNative`, and Keras's dilation in tfjs-layers' Conv2D and DepthwiseConv2D. Called by
 * `initBackend`, in the main thread, in every worker thread and in every device process.
 */
export function registerDilatedConvTraining(): void {
  registerDilatedConvGradients();
  patchDilatedConvLayers();
  registerTileGradient();
  patchLayerNormalization();
}

/**
 * A thread started on plain cpu (the trainer's main thread: it only builds models and writes checkpoints, so it
 * starts light) moves to wasm when it has real math to do: the plan executor validates the whole model there,
 * and on pure JavaScript the tiny GPT's 948 validation windows took 7 minutes. Tensors made on cpu move over
 * when first read. Nothing changes on any other backend, or where wasm does not load.
 */
export async function preferWasmForMath(): Promise<void> {
  if (tf.getBackend() !== "cpu") return;
  if (!(await tryWasm())) await tf.setBackend("cpu");
}

/**
 * Picks and initialises the backend in this thread: native if installed, else wasm, else plain cpu; `webgpu`
 * only when asked for (the trainer decides whether `auto` means WebGPU: it probes adapters, a device does not).
 */
export async function initBackend(preference: BackendPreference = "auto"): Promise<BackendInfo> {
  // Production mode: no "install tfjs-node" banner from the cpu backend on every run (mgpuc reports the
  // backend itself), and no debug-only checks.
  tf.enableProdMode();
  registerDilatedConvTraining();
  if (preference === "webgpu") {
    const adapter = await startWebgpu();
    return { name: "webgpu", detail: `@tensorflow/tfjs-backend-webgpu on ${adapter}` };
  }
  if (preference === "auto" || preference === "native") {
    const pkg = await tryNative();
    if (pkg !== null) return { name: "tensorflow", detail: `${pkg} (libtensorflow)` };
    if (preference === "native")
      throw new Error("neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads");
  }
  if (preference !== "cpu" && (await tryWasm())) {
    return { name: "wasm", detail: "@tensorflow/tfjs-backend-wasm (SIMD, 1 thread)" };
  }
  await tf.setBackend("cpu");
  return { name: "cpu", detail: "@tensorflow/tfjs cpu (pure JavaScript)" };
}
