import path from "node:path";
import { crc32 } from "node:zlib";
import type { CheckpointFs } from "./checkpoint-fs.js";

/** Where training stands when a checkpoint is taken; `step` counts optimizer steps from the very start. */
export interface TrainingPosition {
  readonly step: number;
  /** 0-based epoch the next step belongs to. */
  readonly epoch: number;
  /** Batches of that epoch already trained. */
  readonly batchInEpoch: number;
}

/**
 * Free-form, JSON-serialisable facts about the run. `evaluate` reads `loss` and `metrics`; the engine may add
 * anything (model name, seed, device count, the training config).
 */
export interface CheckpointMeta {
  readonly modelName?: string;
  readonly loss?: string;
  readonly metrics?: readonly string[];
  readonly seed?: number;
  readonly [key: string]: unknown;
}

export const STATE_JSON = "state.json";
export const OPTIMIZER_JSON = "optimizer.json";
export const OPTIMIZER_BIN = "optimizer.bin";
export const LATEST = "latest";

export interface FileRecord {
  readonly bytes: number;
  readonly crc32: number;
}

/** `state.json`: written last inside the checkpoint; its file records let a reader detect a damaged copy. */
export interface CheckpointState {
  readonly format: "mgpuc-checkpoint";
  readonly version: 1;
  readonly position: TrainingPosition;
  readonly meta: CheckpointMeta;
  readonly files: Readonly<Record<string, FileRecord>>;
}

export function recordOf(data: Uint8Array | string): FileRecord {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return { bytes: bytes.byteLength, crc32: crc32(bytes) };
}

/** Checks a checkpoint folder against its `state.json`; the reason it is not intact, or its state. */
export async function verifyCheckpoint(
  dir: string,
  fs: CheckpointFs,
): Promise<{ ok: true; state: CheckpointState } | { ok: false; reason: string }> {
  let state: CheckpointState;
  try {
    state = JSON.parse((await fs.readFile(path.join(dir, STATE_JSON))).toString("utf8")) as CheckpointState;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: code === "ENOENT" ? `${STATE_JSON} is missing` : `${STATE_JSON} is unreadable`,
    };
  }
  if (state.format !== "mgpuc-checkpoint" || typeof state.files !== "object")
    return { ok: false, reason: `${STATE_JSON} is not an mgpuc checkpoint state` };
  for (const [file, expected] of Object.entries(state.files)) {
    let data: Buffer;
    try {
      data = await fs.readFile(path.join(dir, file));
    } catch {
      return { ok: false, reason: `${file} is missing` };
    }
    const actual = recordOf(data);
    if (actual.bytes !== expected.bytes)
      return { ok: false, reason: `${file} has ${actual.bytes} bytes, expected ${expected.bytes}` };
    if (actual.crc32 !== expected.crc32) return { ok: false, reason: `${file} fails its checksum` };
  }
  return { ok: true, state };
}

/** `step-250` → 250; `step-250-2` (a second save at the same step) → 250.5 so it sorts after. */
function stepOf(name: string): number | undefined {
  const match = /^step-(\d+)(?:-(\d+))?$/.exec(name);
  if (!match) return undefined;
  return Number(match[1]) + (match[2] === undefined ? 0 : 1 - 1 / Number(match[2]));
}

/** Checkpoint folders of a run, newest first. */
export async function listCheckpoints(runDir: string, fs: CheckpointFs): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(runDir);
  } catch {
    return [];
  }
  return names.filter((n) => stepOf(n) !== undefined).sort((a, b) => stepOf(b)! - stepOf(a)!);
}

/** The folder `latest` names, when there is a readable pointer. */
export async function readLatest(runDir: string, fs: CheckpointFs): Promise<string | undefined> {
  try {
    const name = (await fs.readFile(path.join(runDir, LATEST))).toString("utf8").trim();
    return name === "" || name.includes("/") || name.includes("\\") ? undefined : name;
  } catch {
    return undefined;
  }
}

/** The checkpoint `latest` names if it is intact, else the newest intact one; a path, or undefined. */
export async function lastIntactCheckpoint(runDir: string, fs: CheckpointFs): Promise<string | undefined> {
  const latest = await readLatest(runDir, fs);
  if (latest !== undefined && (await verifyCheckpoint(path.join(runDir, latest), fs)).ok)
    return path.join(runDir, latest);
  for (const name of await listCheckpoints(runDir, fs))
    if ((await verifyCheckpoint(path.join(runDir, name), fs)).ok) return path.join(runDir, name);
  return undefined;
}
