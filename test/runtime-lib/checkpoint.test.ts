import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CheckpointError,
  describeModelMismatch,
  loadCheckpoint,
  nodeFs,
  optimizerState,
  probeWritable,
  registerFileRouter,
  saveCheckpoint,
  type CheckpointFs,
  type NamedArrays,
} from "../../runtime/checkpoint/index.js";
import { buildModel, initializeWeights } from "../../runtime/model/index.js";
import { GraphBuilder, mlpGraph } from "./support/graph-builder.js";

let runDir: string;
beforeEach(() => {
  runDir = mkdtempSync(path.join(tmpdir(), "mgpuc-ckpt-"));
});
afterEach(() => rmSync(runDir, { recursive: true, force: true }));

function freshModel(seed: number): tf.LayersModel {
  const model = buildModel(mlpGraph());
  initializeWeights(model, seed);
  return model;
}

const weightsOf = (model: tf.LayersModel): Float32Array[] =>
  model.getWeights().map((w) => Float32Array.from(w.dataSync()));

const slots: NamedArrays = [
  { name: "iter", shape: [], data: Float32Array.of(7) },
  { name: "dense/kernel/m", shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
];

const save = (model: tf.LayersModel, step: number, fs?: CheckpointFs): Promise<string> =>
  saveCheckpoint(
    runDir,
    {
      model,
      optimizerState: slots,
      position: { step, epoch: 1, batchInEpoch: 3 },
      meta: { loss: "mse", seed: 4 },
    },
    fs === undefined ? {} : { fs },
  );

/** nodeFs with one operation made to fail like a full disk. */
function failing(when: (op: string, target: string) => boolean): CheckpointFs {
  const enospc = (): never => {
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  };
  return {
    ...nodeFs,
    writeFileSynced: async (p, d) => (when("write", p) ? enospc() : nodeFs.writeFileSynced(p, d)),
    rename: async (a, b) => (when("rename", b) ? enospc() : nodeFs.rename(a, b)),
  };
}

describe("checkpoints", () => {
  it("round-trips weights (through tf.loadLayersModel), optimizer state, position and meta", async () => {
    const model = freshModel(3);
    model.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy" });
    await model.trainOnBatch(tf.randomUniform([4, 28, 28, 1], 0, 1, "float32", 1), tf.tensor1d([1, 2, 3, 4]));
    const state = await optimizerState(model.optimizer);
    const name = await saveCheckpoint(runDir, {
      model,
      optimizerState: state,
      position: { step: 1, epoch: 0, batchInEpoch: 1 },
      meta: { modelName: "Mnist", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] },
    });
    expect(name).toBe("step-1");
    expect(readFileSync(path.join(runDir, "latest"), "utf8").trim()).toBe("step-1");

    registerFileRouter();
    const plain = await tf.loadLayersModel(`file://${path.join(runDir, name, "model.json")}`);
    expect(weightsOf(plain)).toEqual(weightsOf(model));

    const loaded = await loadCheckpoint(runDir);
    expect(loaded.dir).toBe(path.join(runDir, "step-1"));
    expect(weightsOf(loaded.model)).toEqual(weightsOf(model));
    expect(loaded.position).toEqual({ step: 1, epoch: 0, batchInEpoch: 1 });
    expect(loaded.meta.metrics).toEqual(["accuracy"]);
    expect(loaded.optimizerState.map((s) => s.name)).toEqual(state.map((s) => s.name));
    expect(loaded.optimizerState.length).toBeGreaterThan(1);
    loaded.optimizerState.forEach((s, i) => expect(s.data).toEqual(state[i]!.data));
  });

  it("model.save('file://DIR') writes the standard model.json + weights.bin that loadLayersModel reads", async () => {
    registerFileRouter();
    const model = freshModel(5);
    await model.save(`file://${path.join(runDir, "plain")}`);
    expect(readdirSync(path.join(runDir, "plain")).sort()).toEqual(["model.json", "weights.bin"]);
    const json = JSON.parse(readFileSync(path.join(runDir, "plain", "model.json"), "utf8")) as {
      weightsManifest: { paths: string[] }[];
    };
    expect(json.weightsManifest[0]!.paths).toEqual(["weights.bin"]);
    const back = await tf.loadLayersModel(`file://${path.join(runDir, "plain", "model.json")}`);
    expect(weightsOf(back)).toEqual(weightsOf(model));
  });

  it("never overwrites: a second save at the same step gets its own folder", async () => {
    const first = await save(freshModel(1), 5);
    const before = readFileSync(path.join(runDir, first, "weights.bin"));
    const second = await save(freshModel(2), 5);
    expect([first, second]).toEqual(["step-5", "step-5-2"]);
    expect(readFileSync(path.join(runDir, first, "weights.bin"))).toEqual(before);
    expect(readFileSync(path.join(runDir, "latest"), "utf8").trim()).toBe("step-5-2");
  });

  it("a write that fails midway leaves the previous checkpoint and latest intact", async () => {
    const model = freshModel(1);
    await save(model, 10);
    const error = await save(
      freshModel(2),
      20,
      failing((op, p) => op === "write" && p.endsWith("weights.bin")),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    const ce = error as CheckpointError;
    expect(ce.message).toContain(path.join(runDir, "step-20"));
    expect(ce.message).toContain("no space left on device");
    expect(ce.lastIntact).toBe(path.join(runDir, "step-10"));
    expect(readdirSync(runDir).sort()).toEqual(["latest", "step-10"]);
    expect(readFileSync(path.join(runDir, "latest"), "utf8").trim()).toBe("step-10");
    expect(weightsOf((await loadCheckpoint(runDir)).model)).toEqual(weightsOf(model));
  });

  it("a failure while moving latest keeps the old pointer; both checkpoints stay loadable", async () => {
    await save(freshModel(1), 10);
    const error = await save(
      freshModel(2),
      20,
      failing((op, p) => op === "rename" && p.endsWith("latest")),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(readFileSync(path.join(runDir, "latest"), "utf8").trim()).toBe("step-10");
    expect(readdirSync(runDir).filter((n) => n.startsWith(".tmp"))).toEqual([]);
    expect((await loadCheckpoint(path.join(runDir, "step-20"))).position.step).toBe(20);
  });

  it("an unwritable run folder is a CheckpointError naming the path and the reason", async () => {
    writeFileSync(path.join(runDir, "file"), "not a folder");
    const target = path.join(runDir, "file", "run");
    const error = (await saveCheckpoint(target, {
      model: freshModel(1),
      optimizerState: [],
      position: { step: 3, epoch: 0, batchInEpoch: 3 },
      meta: {},
    }).catch((e: unknown) => e)) as CheckpointError;
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).toBe(
      `cannot write checkpoint ${path.join(target, "step-3")}: not a directory (ENOTDIR)`,
    );
    expect(error.lastIntact).toBeUndefined();
  });

  it("a damaged checkpoint is a located error that names the last intact one", async () => {
    await save(freshModel(1), 10);
    await save(freshModel(2), 20);
    truncateSync(path.join(runDir, "step-20", "weights.bin"), 10);
    const error = (await loadCheckpoint(runDir).catch((e: unknown) => e)) as CheckpointError;
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).toContain(path.join(runDir, "step-20"));
    expect(error.message).toMatch(/weights\.bin has 10 bytes/);
    expect(error.lastIntact).toBe(path.join(runDir, "step-10"));
    rmSync(path.join(runDir, "step-20"), { recursive: true });
    const gone = (await loadCheckpoint(runDir).catch((e: unknown) => e)) as CheckpointError;
    expect(gone.message).toContain("the folder is missing");
    expect(gone.lastIntact).toBe(path.join(runDir, "step-10"));
    const missing = (await loadCheckpoint(path.join(runDir, "nope")).catch(
      (e: unknown) => e,
    )) as CheckpointError;
    expect(missing).toBeInstanceOf(CheckpointError);
    expect(missing.message).toContain("nope");
  });
});

describe("before training: a checkpoint that fits the model, a folder that can be written", () => {
  /** The MLP with another hidden width: the same layer names, other shapes. */
  function widerModel(): tf.LayersModel {
    const g = new GraphBuilder("Mnist");
    g.input("image", [28, 28, 1]);
    g.layer("flatten", "flatten", {});
    g.layer("dense", "dense", { units: 48, activation: "relu", use_bias: true });
    g.layer("dense_1", "dense", { units: 10, activation: "softmax", use_bias: true });
    return buildModel(g.build());
  }

  it("the same model fits; another name, or another version of it, is named in one line", async () => {
    const model = freshModel(1);
    await saveCheckpoint(runDir, {
      model,
      optimizerState: [],
      position: { step: 2, epoch: 0, batchInEpoch: 2 },
      meta: { modelName: "Mnist" },
    });
    const loaded = await loadCheckpoint(runDir);
    const dir = path.join(runDir, "step-2");
    expect(describeModelMismatch(loaded, freshModel(2), "Mnist")).toBeUndefined();
    expect(describeModelMismatch(loaded, freshModel(2), "Digits")).toBe(
      `${dir} is a checkpoint of model 'Mnist', not 'Digits' (its weights have the same shapes, but it is ` +
        "another model)",
    );
    expect(describeModelMismatch(loaded, widerModel(), "Mnist")).toBe(
      `${dir} does not fit model 'Mnist' as it is now (the first weight to differ is dense/kernel [784, 32] ` +
        "there, dense/kernel [784, 48] here); it was saved from another version of the model",
    );
    // A bare tfjs model folder has no name: its weights alone decide.
    expect(describeModelMismatch({ ...loaded, meta: {} }, freshModel(2), "Digits")).toBeUndefined();
  });

  it("probeWritable creates the folder and leaves nothing in it; a path under a file is named", async () => {
    const target = path.join(runDir, "new", "run");
    await probeWritable(target);
    expect(readdirSync(target)).toEqual([]);
    writeFileSync(path.join(runDir, "file"), "not a folder");
    const under = path.join(runDir, "file", "run");
    const error = (await probeWritable(under).catch((e: unknown) => e)) as CheckpointError;
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).toBe(
      `cannot write checkpoints in ${under}: not a directory (ENOTDIR); give --save a folder that can be ` +
        "written, or --no-save",
    );
    // procfs refuses new folders with ENOENT: node's recursive mkdir retried that forever.
    const refused = (await probeWritable("/proc/no-such-run").catch((e: unknown) => e)) as CheckpointError;
    expect(refused.message).toMatch(
      /^cannot write checkpoints in \/proc\/no-such-run: no such file or directory/,
    );
    const full = (await probeWritable(
      path.join(runDir, "full"),
      failing((op) => op === "write"),
    ).catch((e: unknown) => e)) as CheckpointError;
    expect(full.message).toMatch(/: no space left on device \(ENOSPC\);/);
  });
});
