import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface DeviceProcessOptions {
  readonly rank: number;
  readonly size: number;
  readonly mesh: string;
  /** Floats per all-reduce bucket. */
  readonly bucket: number;
  /** Pin the process to GPU `rank` (CUDA_VISIBLE_DEVICES) so a native GPU backend sees exactly one GPU. */
  readonly gpu: boolean;
  /** The entry module (an `import.meta.url` and a relative path without extension); default `child-entry`. */
  readonly entry?: { readonly base: string; readonly relative: string };
}

/** The environment of device process `rank`. */
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
 * Starts `child-entry` as its own Node process: stdin carries control frames in, fd 3 frames out, stdout and
 * stderr are the parent's. Under tsx or vitest this module is a `.ts` file and so is the entry: the child
 * loads tsx's loader first (`--import`), as the worker threads register tsx.
 */
export function spawnDevice(o: DeviceProcessOptions): ChildProcess {
  const base = o.entry?.base ?? import.meta.url;
  const relative = o.entry?.relative ?? "./child-entry";
  const args: string[] = [];
  let entry: string;
  if (base.endsWith(".ts")) {
    const tsxRoot = dirname(createRequire(fileURLToPath(base)).resolve("tsx/package.json"));
    args.push("--import", pathToFileURL(join(tsxRoot, "dist", "loader.mjs")).href);
    entry = fileURLToPath(new URL(`${relative}.ts`, base));
  } else entry = fileURLToPath(new URL(`${relative}.js`, base));
  return spawn(process.execPath, [...args, entry], {
    stdio: ["pipe", "inherit", "inherit", "pipe"],
    env: deviceEnv(o),
  });
}
