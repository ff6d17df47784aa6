import { promises as fs } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { makeFoldersAsync } from "../files/make-folders.js";

const SCHEME = "file://";
export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

/** The standard `model.json` for a LayersModel whose weights are all in `weights.bin`. */
export function modelJsonFor(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  return {
    modelTopology: artifacts.modelTopology!,
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy ?? "mgpuc",
    convertedBy: artifacts.convertedBy ?? null,
    ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
    ...(artifacts.userDefinedMetadata === undefined
      ? {}
      : { userDefinedMetadata: artifacts.userDefinedMetadata }),
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
}

/** The weights of saved artifacts as one byte array (tfjs may hand them over in several buffers). */
export function weightBytes(artifacts: tf.io.ModelArtifacts): Uint8Array {
  const data = artifacts.weightData;
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Reads a `model.json` and the weight files it lists (relative to it) into artifacts tfjs can load. */
export async function readModelArtifacts(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await fs.readFile(modelJsonPath, "utf8")) as tf.io.ModelJSON;
  const dir = path.dirname(modelJsonPath);
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const file of group.paths) {
        const bytes = await fs.readFile(path.join(dir, file));
        buffers.push(
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        );
      }
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
}

/**
 * tfjs has no file system IO in pure JS; this is the `file://` handler: saving to `file://DIR` writes
 * `DIR/model.json` + `DIR/weights.bin` (the standard layout tfjs-node and the converter use), loading reads a
 * `model.json` path (or a folder holding one). Checkpoints do not go through it: they need atomic writes.
 */
export function fileHandler(url: string): tf.io.IOHandler {
  const target = url.startsWith(SCHEME) ? url.slice(SCHEME.length) : url;
  return {
    async save(artifacts) {
      const dir = target.endsWith(".json") ? path.dirname(target) : target;
      const jsonName = target.endsWith(".json") ? path.basename(target) : MODEL_JSON;
      await makeFoldersAsync(dir);
      await fs.writeFile(path.join(dir, WEIGHTS_BIN), weightBytes(artifacts));
      await fs.writeFile(path.join(dir, jsonName), JSON.stringify(modelJsonFor(artifacts)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load() {
      const stat = await fs.stat(target);
      return readModelArtifacts(stat.isDirectory() ? path.join(target, MODEL_JSON) : target);
    },
  };
}

let registered = false;

/**
 * Lets `model.save('file://DIR')` and `tf.loadLayersModel('file://DIR/model.json')` work. Idempotent, and a
 * no-op when another `file://` handler (tfjs-node's) is already registered: tfjs refuses a URL two routers
 * claim.
 */
export function registerFileRouter(): void {
  if (registered) return;
  registered = true;
  // tfjs's router type says IOHandler, but its registry documents and skips `null` for URLs a router declines.
  const route = (url: string | string[]): tf.io.IOHandler =>
    (typeof url === "string" && url.startsWith(SCHEME) ? fileHandler(url) : null) as tf.io.IOHandler;
  if (tf.io.getSaveHandlers(`${SCHEME}probe`).length === 0) tf.io.registerSaveRouter(route);
  if (tf.io.getLoadHandlers(`${SCHEME}probe`).length === 0) tf.io.registerLoadRouter(route);
}
