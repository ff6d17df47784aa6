import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { CheckpointError } from "./checkpoint-error.js";
import { nodeFs, type CheckpointFs } from "./checkpoint-fs.js";
import {
  OPTIMIZER_BIN,
  OPTIMIZER_JSON,
  STATE_JSON,
  lastIntactCheckpoint,
  listCheckpoints,
  readLatest,
  verifyCheckpoint,
  type CheckpointMeta,
  type TrainingPosition,
} from "./checkpoint-format.js";
import { MODEL_JSON, readModelArtifacts } from "./file-handler.js";
import { decodeNamedArrays, type NamedArray } from "./named-arrays.js";

export interface LoadedCheckpoint {
  /** The checkpoint folder that was read. */
  readonly dir: string;
  readonly model: tf.LayersModel;
  readonly optimizerState: NamedArray[];
  readonly position: TrainingPosition;
  readonly meta: CheckpointMeta;
}

/**
 * Which checkpoint folder a path means: a checkpoint folder itself (it has `state.json`), or a run folder
 * (its `latest`, else its newest `step-*`).
 */
export async function resolveCheckpointDir(where: string, fs: CheckpointFs = nodeFs): Promise<string> {
  if (await fs.exists(path.join(where, STATE_JSON))) return where;
  const latest = await readLatest(where, fs);
  if (latest !== undefined) return path.join(where, latest);
  const newest = (await listCheckpoints(where, fs))[0];
  if (newest !== undefined) return path.join(where, newest);
  if (await fs.exists(path.join(where, MODEL_JSON))) return where;
  throw new CheckpointError(
    (await fs.exists(where)) ? `no checkpoint in ${where}` : `checkpoint folder not found: ${where}`,
    where,
  );
}

/**
 * Loads a checkpoint (a checkpoint folder, or a run folder: its `latest`) after checking every file against
 * `state.json`: a damaged one is a `CheckpointError` naming what is wrong and the last intact checkpoint.
 * A bare tfjs model folder (model.json + weights, no state) loads with empty optimizer state at step 0.
 */
export async function loadCheckpoint(
  where: string,
  options: { fs?: CheckpointFs } = {},
): Promise<LoadedCheckpoint> {
  const fs = options.fs ?? nodeFs;
  const dir = await resolveCheckpointDir(where, fs);
  const runDir = path.dirname(dir);
  const fail = async (reason: string): Promise<never> => {
    const intact = await lastIntactCheckpoint(runDir, fs).catch(() => undefined);
    throw new CheckpointError(
      `checkpoint ${dir} is damaged: ${reason}`,
      dir,
      intact === dir ? undefined : intact,
    );
  };
  if (!(await fs.exists(dir))) return fail("the folder is missing");
  const bare = !(await fs.exists(path.join(dir, STATE_JSON)));
  let position: TrainingPosition = { step: 0, epoch: 0, batchInEpoch: 0 };
  let meta: CheckpointMeta = {};
  let optimizerState: NamedArray[] = [];
  if (!bare) {
    const verified = await verifyCheckpoint(dir, fs);
    if (!verified.ok) return fail(verified.reason);
    ({ position, meta } = verified.state);
    try {
      const json = (await fs.readFile(path.join(dir, OPTIMIZER_JSON))).toString("utf8");
      optimizerState = decodeNamedArrays(json, await fs.readFile(path.join(dir, OPTIMIZER_BIN)));
    } catch (error) {
      return fail(`optimizer state: ${(error as Error).message}`);
    }
  }
  let model: tf.LayersModel;
  try {
    const artifacts = await readModelArtifacts(path.join(dir, MODEL_JSON));
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    return fail(`${MODEL_JSON}: ${(error as Error).message}`);
  }
  return { dir, model, optimizerState, position, meta };
}
