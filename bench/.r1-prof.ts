import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../runtime/backend/index.js";
import { LocalCollective } from "../runtime/collectives/index.js";
import { Replica } from "../runtime/train/replica.js";
import { shareDataset } from "../runtime/train/data-parallel-group.js";
import { seedMlp, syntheticData } from "../test/runtime/engine-fixtures.js";
await initBackend("wasm");
const model = seedMlp();
const data = syntheticData(2048, 10, [28, 28]);
const r = await Replica.create({ type: "init", rank: 0, layout: null as never, topology: model.toJSON(null, false), weights: model.getWeights().map(t => Float32Array.from(t.dataSync())),
  optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, optimizerState: [], loss: "sparse_categorical_crossentropy", seed: 1, train: shareDataset(data), validation: null, backend: "wasm" }, new LocalCollective());
for (const B of [32, 64]) {
  const idx = Uint32Array.from({ length: B }, (_, i) => i);
  for (let i = 0; i < 5; i++) r.step(i, idx);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) r.step(i, idx);
  console.log("replica step B", B, (performance.now() - t0) / 50, "ms", tf.memory().numTensors);
}
// plain fit comparison
const m2 = seedMlp();
m2.compile({ optimizer: tf.train.adam(0.001), loss: "sparseCategoricalCrossentropy" });
const xs = tf.tensor(data.x, [2048, 28, 28]); const ys = tf.tensor(Float32Array.from(data.y), [2048, 1]);
await m2.fit(xs, ys, { batchSize: 64, epochs: 1, verbose: 0 });
const t1 = performance.now();
await m2.fit(xs, ys, { batchSize: 64, epochs: 1, verbose: 0 });
console.log("fit per step B64", (performance.now() - t1) / 32, "ms");
