import { initBackend } from "../runtime/backend/index.js";
import { trainModel } from "../runtime/index.js";
import { seedMlp } from "../test/runtime/engine-fixtures.js";
await initBackend("wasm");
const t0 = performance.now();
const final = await trainModel({
  model: seedMlp(), modelName: "Mnist", baseDir: ".", devices: 2, tty: false,
  training: { data: { kind: "mnist" }, optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], epochs: 5, batch: 64, validation: 0.1, seed: 42, spans: {} },
  saveDir: "/tmp/r1/runs/Mnist",
});
console.log(final, (performance.now() - t0) / 1000, "s");
