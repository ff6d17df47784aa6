import { type ChildProcess, spawn } from "node:child_process";
import { type EntryModule, processArgs } from "../devices/entry-module.js";

export interface DeviceProcessOptions {
  readonly rank: number;
  readonly size: number;
  readonly mesh: string;
  /** Floats per all-reduce bucket. */
  readonly bucket: number;
  /** Pin the process to GPU `rank` (CUDA_VISIBLE_DEVICES) so a native GPU backend sees exactly one GPU. */
  readonly gpu: boolean;
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
  return env;
}

/**
 * Starts `entry` as its own Node process: stdin carries control frames in, fd 3 frames out, stdout and stderr
 * are the parent's. Under tsx or vitest the child loads tsx's loader first (`processArgs`).
 */
export function spawnDevice(entry: EntryModule, o: DeviceProcessOptions): ChildProcess {
  return spawn(process.execPath, processArgs(entry), {
    stdio: ["pipe", "inherit", "inherit", "pipe"],
    env: deviceEnv(o),
  });
}
