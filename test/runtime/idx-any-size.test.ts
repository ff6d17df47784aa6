import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { compileSource } from "../../compiler/pipeline.js";
import { initBackend } from "../../runtime/backend/index.js";
import { trainModel } from "../../runtime/index.js";
import { buildModel, initializeWeights } from "../../runtime/model/index.js";
import { maxAbsDiff } from "./engine-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "mgpuc-idx16-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An unsigned-byte IDX file. */
function idx(shape: readonly number[], values: readonly number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(shape.length, 3);
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

/** 96 images of 16 × 16 in 4 classes: class c lights up every fourth column from column c. */
function writeData(): void {
  const count = 96;
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % 4;
    labels.push(c);
    for (let p = 0; p < 256; p++) pixels.push((p % 4 === c ? 180 : 20) + ((i * 31 + p * 7) % 40));
  }
  writeFileSync(join(dir, "images.idx"), idx([count, 16, 16], pixels));
  writeFileSync(join(dir, "labels.idx"), idx([count], labels));
}

const MODEL = `
model Small {
  input image: [16, 16, 1]
  conv2d(4, kernel: 3, activation: relu)
  flatten
  dense(4, activation: softmax)
}
train Small {
  data: idx("images.idx", "labels.idx")
  loss: sparse_categorical_crossentropy
  optimizer: adam(lr: 0.01)
  batch: 16
  seed: 11
}
`;

describe("IDX files of any image size and class count", () => {
  beforeAll(async () => {
    writeData();
    await initBackend("wasm");
  });

  it("16×16 images in 4 classes check clean and train alike on 1 and 2 devices", async () => {
    const result = compileSource(new SourceFile(join(dir, "small.model"), MODEL), {
      stopAfter: "check-data",
    });
    expect(result.diagnostics).toEqual([]);
    const weights = async (devices: number) => {
      const model = buildModel(result.graph!);
      const final = await trainModel({
        model,
        modelName: "Small",
        training: result.training!,
        devices,
        steps: 4,
        baseDir: dir,
        backend: "wasm",
        out: () => {},
        tty: false,
      });
      expect(final.steps).toBe(4);
      expect(Number.isFinite(final.loss ?? NaN)).toBe(true);
      return model.getWeights().map((t: tf.Tensor) => Float32Array.from(t.dataSync()));
    };
    const one = await weights(1);
    const two = await weights(2);
    expect(maxAbsDiff(one, two)).toBeLessThanOrEqual(1e-5);
    // The weights moved: the comparison is of trained models, not of two initialisations.
    const start = buildModel(result.graph!);
    initializeWeights(start, result.training!.seed);
    const initial = start.getWeights().map((t: tf.Tensor) => Float32Array.from(t.dataSync()));
    expect(maxAbsDiff(one, initial)).toBeGreaterThan(1e-3);
  });
});
