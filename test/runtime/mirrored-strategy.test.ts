import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Loss } from "../../compiler/ir/config.js";
import { initBackend } from "../../runtime/backend/index.js";
import { type Dataset, epochOrder } from "../../runtime/data/index.js";
import { MirroredStrategy } from "../../runtime/index.js";
import { labelledData } from "../support/labelled-data.js";
import { maxAbsDiff, setDeterministicWeights, syntheticData } from "./engine-fixtures.js";
import { referenceTrain } from "./engine-reference.js";

function smallModel(units: number, activation: "softmax" | "linear"): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [20], units: 16, activation: "relu", name: "hidden" }),
      tf.layers.batchNormalization({ name: "bn" }),
      tf.layers.dense({ units, activation, name: "out" }),
    ],
  });
}

const EPOCHS = 3;
const BATCH = 24;
const SEED = 3;

interface Case {
  readonly name: string;
  readonly loss: Loss;
  readonly metrics: readonly string[];
  readonly data: Dataset;
  /** The labels as a Keras user passes them to `fit`. */
  readonly ys: () => tf.Tensor;
  readonly model: () => tf.LayersModel;
}

const classes = syntheticData(96, 3, [20]);
const regression = labelledData(96, [20], { kind: "regression", shape: [] });

const cases: readonly Case[] = [
  {
    name: "class ids, sparse categorical cross-entropy",
    loss: "sparse_categorical_crossentropy",
    metrics: ["accuracy"],
    data: classes,
    ys: () => tf.tensor(classes.y, [96], "int32"),
    model: () => smallModel(3, "softmax"),
  },
  {
    // A 1-D target vector [N] against the [N, 1] output, as tfjs's fit takes it (it adds the axis).
    name: "float targets [N], mse",
    loss: "mse",
    metrics: ["mae"],
    data: regression,
    ys: () => tf.tensor(regression.y, [96]),
    model: () => smallModel(1, "linear"),
  },
];

describe("MirroredStrategy", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  for (const c of cases) {
    it(`${c.name}: fit on 1 and 2 replicas equals tfjs trainOnBatch over the same batches`, async () => {
      const xs = tf.tensor(c.data.x, [96, 20]);
      const ys = c.ys();
      // The batches fit draws: each epoch's order, cut into global batches.
      const batches: Uint32Array[] = [];
      for (let epoch = 0; epoch < EPOCHS; epoch++) {
        const order = epochOrder(96, SEED, epoch);
        for (let b = 0; b < 96 / BATCH; b++) batches.push(order.slice(b * BATCH, (b + 1) * BATCH));
      }
      const start = c.model();
      setDeterministicWeights(start, 9);
      const reference = await referenceTrain(start, c.data, batches, {
        loss: c.loss,
        metrics: c.metrics,
        optimizer: { kind: "sgd", lr: 0.01, momentum: 0, nesterov: false },
        seed: SEED,
      });
      // Per epoch, the mean over its batches of what trainOnBatch reported (equal batch sizes).
      const perEpoch = 96 / BATCH;
      const wantHistory = (i: number) =>
        Array.from({ length: EPOCHS }, (_, e) => {
          const values = reference.steps.slice(e * perEpoch, (e + 1) * perEpoch).map((v) => v[i]!);
          return values.reduce((a, b) => a + b, 0) / perEpoch;
        });
      for (const devices of [1, 2]) {
        const model = c.model();
        setDeterministicWeights(model, 9);
        const fit = { loss: c.loss, metrics: c.metrics, epochs: EPOCHS, batchSize: BATCH, seed: SEED };
        const history = await new MirroredStrategy({ devices, backend: "wasm" }).fit(model, xs, ys, fit);
        const weights = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
        expect(maxAbsDiff(weights, reference.weights), `${devices} replicas`).toBeLessThanOrEqual(1e-4);
        ["loss", ...c.metrics].forEach((name, i) => {
          const got = history[name]!;
          const want = wantHistory(i);
          expect(got).toHaveLength(EPOCHS);
          got.forEach((g, e) =>
            expect(
              Math.abs(g - want[e]!),
              `${devices} replicas, ${name}, epoch ${e + 1}`,
            ).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[e]!))),
          );
        });
        model.dispose();
      }
      expect(
        maxAbsDiff(
          reference.weights,
          start.getWeights().map((t) => Float32Array.from(t.dataSync())),
        ),
      ).toBeGreaterThan(1e-3);
      tf.dispose([xs, ys]);
    });
  }
});
