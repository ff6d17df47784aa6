import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { processArgs } from "../devices/entry-module.js";

/** One WebGPU adapter as `mgpuc devices` lists it. */
export interface AdapterDescription {
  /** Dawn's name for it: what `adapter=NAME` pins a process to. */
  readonly name: string;
  /** Dawn's backend under it: `vulkan`, `metal`, `d3d12`, ... */
  readonly backend: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** A CPU implementation (Mesa's llvmpipe, SwiftShader): fine for tests, never faster than wasm. */
  readonly software: boolean;
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
}

/** What the probe found: the adapters, and when there are none, why. */
export interface WebgpuProbe {
  readonly adapters: readonly AdapterDescription[];
  readonly reason?: string;
}

const PROBE = { base: import.meta.url, relative: "./webgpu-probe-entry" };

/** Long enough for a cold Dawn and driver start on a loaded machine; a hung driver is reported, not waited on. */
const PROBE_TIMEOUT_MS = 30_000;

/** Dawn's and Mesa's own notes on stderr that say nothing about why there is no adapter. */
function isNoise(line: string): boolean {
  return line.trim() === "" || /^Warning: /.test(line) || /^\s+at /.test(line);
}

/** How to get an adapter where there is none, after the reason. */
const NO_ADAPTER_FIX =
  "a GPU driver with Vulkan (or on Debian, Mesa's software one: mesa-vulkan-drivers 25 from bookworm-backports)";

function runProbe(): Promise<WebgpuProbe> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, processArgs(PROBE), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), PROBE_TIMEOUT_MS);
    child.on("error", (error) =>
      resolve({ adapters: [], reason: `the probe did not start: ${error.message}` }),
    );
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const said = err
        .split("\n")
        .find((line) => !isNoise(line))
        ?.trim();
      try {
        const probe = JSON.parse(out.trim().split("\n").at(-1) ?? "") as WebgpuProbe;
        if (probe.adapters.length > 0 || probe.reason === undefined) return resolve(probe);
        const driver = probe.reason.includes("no Vulkan driver") ? `; it needs ${NO_ADAPTER_FIX}` : "";
        resolve({ adapters: [], reason: `${probe.reason}${said ? ` (Dawn: ${said})` : ""}${driver}` });
      } catch {
        const how =
          signal === "SIGKILL"
            ? `did not answer in ${PROBE_TIMEOUT_MS / 1000} s`
            : `exited ${code ?? signal}`;
        resolve({ adapters: [], reason: `Dawn's probe ${how}${said ? `: ${said}` : ""}` });
      }
    });
  });
}

let probed: Promise<WebgpuProbe> | null = null;

/** This machine's WebGPU adapters, probed once per process in a short-lived child process. */
export function probeWebgpu(): Promise<WebgpuProbe> {
  probed ??= runProbe();
  return probed;
}

/**
 * Whether this machine may have a GPU at all, without starting Dawn: a DRM render node (Mesa's and AMD's and
 * Intel's drivers) or an NVIDIA device node on Linux; elsewhere, assumed yes. `auto` probes WebGPU only then,
 * so a CPU-only machine pays nothing for a software adapter it would not use.
 */
export function mayHaveGpu(): boolean {
  if (process.platform !== "linux") return true;
  try {
    if (existsSync("/dev/dri") && readdirSync("/dev/dri").some((n) => n.startsWith("renderD"))) return true;
    return readdirSync("/dev").some((n) => /^nvidia\d+$/.test(n));
  } catch {
    return false;
  }
}

/** The adapters that are real GPUs (what `auto` and `devices: all` count). */
export function realAdapters(probe: WebgpuProbe): AdapterDescription[] {
  return probe.adapters.filter((a) => !a.software);
}
