import { randomBytes } from "node:crypto";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { CheckpointError, describeFsError } from "./checkpoint-error.js";
import { nodeFs, type CheckpointFs } from "./checkpoint-fs.js";
import {
  LATEST,
  OPTIMIZER_BIN,
  OPTIMIZER_JSON,
  STATE_JSON,
  lastIntactCheckpoint,
  recordOf,
  type CheckpointMeta,
  type CheckpointState,
  type FileRecord,
  type TrainingPosition,
} from "./checkpoint-format.js";
import { MODEL_JSON, WEIGHTS_BIN, modelJsonFor, weightBytes } from "./file-handler.js";
import { encodeNamedArrays, type NamedArrays } from "./named-arrays.js";

export interface CheckpointData {
  /** The whole model in the 1-device layout (plain Keras layers), as `tf.loadLayersModel` will read it. */
  readonly model: tf.LayersModel;
  readonly optimizerState: NamedArrays;
  readonly position: TrainingPosition;
  readonly meta: CheckpointMeta;
}

export interface SaveOptions {
  /** For tests: file operations that can be made to fail. */
  readonly fs?: CheckpointFs;
}

async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return captured!;
}

/** `step-N`, or `step-N-2`, `step-N-3`... when a folder of that name exists: nothing saved is overwritten. */
async function freshName(runDir: string, step: number, fs: CheckpointFs): Promise<string> {
  const base = `step-${step}`;
  if (!(await fs.exists(path.join(runDir, base)))) return base;
  for (let i = 2; ; i++) if (!(await fs.exists(path.join(runDir, `${base}-${i}`)))) return `${base}-${i}`;
}

/**
 * Writes `runDir/step-<N>/` (model.json, weights.bin, optimizer.json, optimizer.bin, state.json) into a
 * temporary folder, fsyncs every file and the folder, renames it into place, then points `runDir/latest` at
 * it (temp file + rename, written last). A failure at any point removes the temporary files only, so the
 * previous checkpoint and `latest` are exactly as they were; it rejects with a `CheckpointError` naming the
 * path and the last intact checkpoint. Resolves to the new folder's name.
 */
export async function saveCheckpoint(
  runDir: string,
  data: CheckpointData,
  options: SaveOptions = {},
): Promise<string> {
  const fs = options.fs ?? nodeFs;
  const artifacts = await captureArtifacts(data.model);
  const weights = weightBytes(artifacts);
  const modelJson = JSON.stringify(modelJsonFor(artifacts));
  const optimizer = encodeNamedArrays(data.optimizerState);
  const contents: [string, Uint8Array | string][] = [
    [WEIGHTS_BIN, weights],
    [MODEL_JSON, modelJson],
    [OPTIMIZER_BIN, optimizer.bin],
    [OPTIMIZER_JSON, optimizer.json],
  ];
  const files: Record<string, FileRecord> = {};
  for (const [file, content] of contents) files[file] = recordOf(content);
  const state: CheckpointState = {
    format: "mgpuc-checkpoint",
    version: 1,
    position: data.position,
    meta: data.meta,
    files,
  };

  let target = path.join(runDir, `step-${data.position.step}`);
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  let temp: string | undefined;
  let latestTemp: string | undefined;
  try {
    await fs.mkdir(runDir);
    const name = await freshName(runDir, data.position.step, fs);
    target = path.join(runDir, name);
    temp = path.join(runDir, `.tmp-${name}-${tag}`);
    await fs.mkdir(temp);
    for (const [file, content] of contents) await fs.writeFileSynced(path.join(temp, file), content);
    await fs.writeFileSynced(path.join(temp, STATE_JSON), JSON.stringify(state, null, 1));
    await fs.syncDir(temp);
    await fs.rename(temp, target);
    temp = undefined;
    await fs.syncDir(runDir);
    latestTemp = path.join(runDir, `.tmp-latest-${tag}`);
    await fs.writeFileSynced(latestTemp, `${name}\n`);
    await fs.rename(latestTemp, path.join(runDir, LATEST));
    latestTemp = undefined;
    await fs.syncDir(runDir);
    return name;
  } catch (error) {
    for (const leftover of [temp, latestTemp]) {
      if (leftover === undefined) continue;
      try {
        await fs.removeTree(leftover);
      } catch {
        // Best effort: a leftover `.tmp-*` is ignored by readers and never mistaken for a checkpoint.
      }
    }
    const intact = await lastIntactCheckpoint(runDir, fs).catch(() => undefined);
    throw new CheckpointError(`cannot write checkpoint ${target}: ${describeFsError(error)}`, target, intact);
  }
}
