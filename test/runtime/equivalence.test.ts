import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../runtime/backend/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { DataParallelGroup } from "../../runtime/train/data-parallel-group.js";
import {
  bnDropoutModel,
  maxAbsDiff,
  seedCnn,
  seedMlp,
  setDeterministicWeights,
  syntheticData,
} from "./engine-fixtures.js";
import { referenceTrain } from "./engine-reference.js";

const STEPS = 20;
const LR = 0.05;
const SEED = 7;

function batchesFor(count: number, batch: number): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let s = 0; s < STEPS; s++) {
    // A fixed, irregular order: equivalence must not depend on contiguous rows.
    out.push(Uint32Array.from({ length: batch }, (_, r) => (s * 37 + r * 11) % count));
  }
  return out;
}

async function trainOn(devices: number, model: tf.LayersModel, data: Dataset, batches: Uint32Array[]) {
  const group = await DataParallelGroup.start({
    model,
    devices,
    optimizer: { kind: "sgd", lr: LR, momentum: 0, nesterov: false },
    loss: "sparse_categorical_crossentropy",
    seed: SEED,
    train: data,
    backend: "wasm",
    // 3 devices also run with small, odd-sized buckets, so gradients straddle bucket boundaries.
    ...(devices === 3 ? { bucket: 4099 } : {}),
  });
  try {
    for (const [step, indices] of batches.entries()) {
      const r = await group.step(step, indices);
      expect(Number.isFinite(r.lossSum)).toBe(true);
    }
    return (await group.state()).weights;
  } finally {
    await group.close();
  }
}

const cases = [
  { name: "seed MLP", make: seedMlp, data: () => syntheticData(256, 10, [28, 28]), batch: 32 },
  { name: "seed CNN", make: seedCnn, data: () => syntheticData(128, 10, [28, 28, 1]), batch: 10 },
  {
    name: "batchnorm + dropout",
    make: bnDropoutModel,
    data: () => syntheticData(128, 4, [12, 12, 1]),
    batch: 32,
  },
];

describe("N devices equal one, and equal plain tfjs", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  for (const c of cases) {
    it(`${c.name}: 1, 2, 3 devices and trainOnBatch agree after ${STEPS} steps`, async () => {
      const model = c.make();
      setDeterministicWeights(model, 3);
      const data = c.data();
      // 3 devices get uneven shards (32 = 11 + 11 + 10).
      const batches = batchesFor(data.count, c.batch);
      const reference = await referenceTrain(model, data, batches, LR, SEED);
      const initial = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
      expect(maxAbsDiff(initial, reference)).toBeGreaterThan(1e-3);
      for (const devices of [1, 2, 3]) {
        const weights = await trainOn(devices, model, data, batches);
        expect(maxAbsDiff(weights, reference), `${devices} devices vs trainOnBatch`).toBeLessThanOrEqual(
          1e-4,
        );
      }
    });
  }
});
