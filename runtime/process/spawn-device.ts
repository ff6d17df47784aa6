import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { type EntryModule, processArgs } from "../devices/entry-module.js";
import { ADAPTER_ENV } from "../backend/webgpu-backend.js";

export interface DeviceProcessOptions {
  readonly rank: number;
  readonly size: number;
  readonly mesh: string;
  /** Floats per all-reduce bucket. */
  readonly bucket: number;
  /** Pin the process to GPU `rank` (CUDA_VISIBLE_DEVICES) so a native GPU backend sees exactly one GPU. */
  readonly gpu: boolean;
  /** Pin the process to the WebGPU adapter of this name (Dawn's `adapter=` flag, read by `startWebgpu`). */
  readonly adapter?: string;
}

/** The environment of device process `rank` (`serveChild` reads it). */
export function deviceEnv(o: DeviceProcessOptions, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    MGPUC_RANK: String(o.rank),
    MGPUC_SIZE: String(o.size),
    MGPUC_MESH: o.mesh,
    MGPUC_BUCKET: String(o.bucket),
  };
  if (o.gpu) env.CUDA_VISIBLE_DEVICES = String(o.rank);
  if (o.adapter !== undefined) env[ADAPTER_ENV] = o.adapter;
  return env;
}

/**
 * Notes Dawn and the Vulkan driver print from native code on every device start, about limits they lowered
 * for themselves: nothing a user can act on, so a WebGPU device's stderr goes through without them.
 */
const DRIVER_NOTE = /^Warning: \w+ artificially reduced from/;

function forwardStderr(stream: Readable): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
    if (!DRIVER_NOTE.test(line)) process.stderr.write(`${line}\n`);
  });
}

/**
 * Starts `entry` as its own Node process: stdin carries control frames in, fd 3 frames out, stdout and stderr
 * are the parent's (a WebGPU device's stderr filtered of driver notes). Under tsx or vitest the child loads
 * tsx's loader first (`processArgs`).
 */
export function spawnDevice(entry: EntryModule, o: DeviceProcessOptions): ChildProcess {
  const child = spawn(process.execPath, processArgs(entry), {
    stdio: ["pipe", "inherit", o.adapter === undefined ? "inherit" : "pipe", "pipe"],
    env: deviceEnv(o),
  });
  if (o.adapter !== undefined) forwardStderr(child.stderr!);
  return child;
}
