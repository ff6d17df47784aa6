import { createRequire } from "node:module";

/** What the npm package `webgpu` (Dawn's Node.js binding) exports; typed here as far as mgpuc uses it. */
export interface DawnBinding {
  /** A `navigator.gpu` for this process; `flags` are Dawn's (`adapter=NAME` picks an adapter by name). */
  create(flags: string[]): WebgpuGpu;
  /** The WebGPU globals (`GPUBufferUsage`, ...) that tfjs-backend-webgpu reads from `globalThis`. */
  readonly globals: Record<string, unknown>;
}

export interface WebgpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter?: boolean;
}

export interface WebgpuAdapter {
  readonly info: WebgpuAdapterInfo;
  readonly limits: Readonly<Record<string, number>>;
}

export interface WebgpuGpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<WebgpuAdapter | null>;
}

/** The two optional dependencies a WebGPU device needs. */
export const WEBGPU_PACKAGES = ["webgpu", "@tensorflow/tfjs-backend-webgpu"] as const;

const require = createRequire(import.meta.url);

/** The first of `WEBGPU_PACKAGES` that is not installed, or null when both are. */
export function missingWebgpuPackage(): string | null {
  for (const pkg of WEBGPU_PACKAGES) {
    try {
      require.resolve(pkg);
    } catch {
      return pkg;
    }
  }
  return null;
}

/**
 * Loads Dawn's binding and puts the WebGPU globals on `globalThis`. Imported by a computed name: the package
 * is an optional dependency, and nothing may break (or be bundled) without it.
 */
export async function loadDawn(): Promise<DawnBinding> {
  const name: string = WEBGPU_PACKAGES[0];
  const dawn = (await import(name)) as DawnBinding;
  Object.assign(globalThis, dawn.globals);
  return dawn;
}

/** Dawn's flags that pin a process to the adapter named `adapter` (a substring of the adapter's name). */
export function adapterFlags(adapter: string | undefined): string[] {
  return adapter ? [`adapter=${adapter}`] : [];
}
