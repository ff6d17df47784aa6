import * as tf from "@tensorflow/tfjs";
import { adapterFlags, loadDawn, missingWebgpuPackage, WEBGPU_PACKAGES } from "./webgpu-binding.js";

/** The environment variable that pins a device process to one adapter (set per rank by its parent). */
export const ADAPTER_ENV = "MGPUC_WEBGPU_ADAPTER";

/**
 * Starts tfjs's WebGPU backend in this process on Dawn's Node binding, on the adapter `MGPUC_WEBGPU_ADAPTER`
 * names (else Dawn's default): sets `navigator.gpu` for tfjs-backend-webgpu, then makes `webgpu` the backend.
 * Returns the adapter's name; throws, saying why, when there is none.
 */
export async function startWebgpu(adapter = process.env[ADAPTER_ENV]): Promise<string> {
  const missing = missingWebgpuPackage();
  if (missing !== null) throw new Error(`the optional npm package ${missing} is not installed`);
  const dawn = await loadDawn();
  const gpu = dawn.create(adapterFlags(adapter));
  const found = await gpu.requestAdapter();
  if (found === null) throw new Error("Dawn found no WebGPU adapter");
  // Node 21+ has a `navigator` without `gpu`; 20 has none.
  const holder = globalThis as { navigator?: object };
  if (holder.navigator === undefined) holder.navigator = {};
  Object.defineProperty(holder.navigator, "gpu", { value: gpu, configurable: true });
  const backendPackage: string = WEBGPU_PACKAGES[1];
  await import(backendPackage);
  if (!(await tf.setBackend("webgpu"))) throw new Error("tfjs-backend-webgpu did not start");
  return adapter ?? found.info.description;
}
