// A short-lived process that lists this machine's WebGPU adapters as one JSON line on stdout
// (`webgpu-adapters.ts` starts it). Dawn is probed apart from the process that asked: it prints to stderr from
// native code, may keep a process alive while referenced, and a broken driver may crash or hang it.
import {
  adapterFlags,
  loadDawn,
  missingWebgpuPackage,
  type DawnBinding,
  type WebgpuAdapter,
} from "./webgpu-binding.js";
import type { AdapterDescription, WebgpuProbe } from "./webgpu-adapters.js";

/** A name no adapter has: Dawn then refuses with the list of the adapters it found. */
const NO_SUCH_ADAPTER = "\u0001mgpuc-list-adapters";

/** `(backend, name)` of every adapter Dawn enumerates, in its order (duplicates kept: two equal GPUs). */
async function enumerate(dawn: DawnBinding): Promise<{ backend: string; name: string }[]> {
  try {
    await dawn.create(adapterFlags(NO_SUCH_ADAPTER)).requestAdapter();
    return []; // resolved with no adapter: Dawn enumerated none
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return [...text.matchAll(/\* backend: '([^']*)', name: '([^']*)'/g)].map((m) => ({
      backend: m[1]!,
      name: m[2]!,
    }));
  }
}

function describe(backend: string, name: string, adapter: WebgpuAdapter): AdapterDescription {
  const { info, limits } = adapter;
  const software =
    info.isFallbackAdapter === true ||
    info.architecture === "software" ||
    /llvmpipe|lavapipe|swiftshader|softpipe/i.test(`${name} ${info.description}`);
  return {
    name,
    backend,
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    software,
    maxBufferSize: limits.maxBufferSize ?? 0,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize ?? 0,
  };
}

async function probe(): Promise<WebgpuProbe> {
  const missing = missingWebgpuPackage();
  if (missing !== null)
    return { adapters: [], reason: `the optional npm package ${missing} is not installed` };
  let dawn: DawnBinding;
  try {
    dawn = await loadDawn();
  } catch (error) {
    return { adapters: [], reason: `Dawn's binding does not load: ${String(error)}` };
  }
  const found = await enumerate(dawn);
  if (found.length === 0) return { adapters: [], reason: "Dawn found no adapter (no Vulkan driver)" };
  const adapters: AdapterDescription[] = [];
  for (const { backend, name } of found) {
    const adapter = await dawn.create(adapterFlags(name)).requestAdapter();
    if (adapter) adapters.push(describe(backend, name, adapter));
  }
  return adapters.length > 0 ? { adapters } : { adapters, reason: "Dawn lists adapters but opens none" };
}

probe()
  .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
  .catch((error: unknown) =>
    process.stdout.write(`${JSON.stringify({ adapters: [], reason: String(error) })}\n`),
  )
  // Dawn keeps the process alive while its objects live.
  .finally(() => process.exit(0));
