import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../runtime/backend/index.js";
import { MirroredStrategy } from "../../runtime/index.js";
import { maxAbsDiff, setDeterministicWeights, syntheticData } from "./engine-fixtures.js";

function smallModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [20], units: 16, activation: "relu", name: "hidden" }),
      tf.layers.batchNormalization({ name: "bn" }),
      tf.layers.dense({ units: 3, activation: "softmax", name: "out" }),
    ],
  });
}

describe("MirroredStrategy", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("fits a hand-written tfjs model on 2 replicas exactly as on 1, and it learns", async () => {
    const data = syntheticData(96, 3, [20]);
    const xs = tf.tensor(data.x, [96, 20]);
    const ys = tf.tensor(data.y, [96], "int32");
    const fit = { loss: "sparse_categorical_crossentropy", epochs: 4, batchSize: 24, seed: 3 } as const;
    const trained: Float32Array[][] = [];
    const histories = [];
    for (const devices of [1, 2]) {
      const model = smallModel();
      setDeterministicWeights(model, 9);
      histories.push(await new MirroredStrategy({ devices, backend: "wasm" }).fit(model, xs, ys, fit));
      trained.push(model.getWeights().map((t) => Float32Array.from(t.dataSync())));
    }
    expect(maxAbsDiff(trained[0]!, trained[1]!)).toBeLessThanOrEqual(1e-4);
    const { loss } = histories[1]!;
    expect(loss).toHaveLength(4);
    expect(loss[3]!).toBeLessThan(loss[0]!);
    tf.dispose([xs, ys]);
  });
});
