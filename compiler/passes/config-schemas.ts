import type { ArgSchema } from "../ops/arg-schema.js";

/** The values `train` and `parallel` accept (LANGUAGE.md), with tfjs/Keras defaults. */

const positive = { kind: "float", min: 0, minExclusive: true } as const;
const fraction = { kind: "float", min: 0, max: 1, maxExclusive: true } as const;

export const OPTIMIZER_ARGS: Readonly<Record<string, readonly ArgSchema[]>> = {
  sgd: [
    { name: "lr", required: false, type: positive, default: 0.01 },
    { name: "momentum", required: false, type: { kind: "float", min: 0 }, default: 0 },
    { name: "nesterov", required: false, type: { kind: "bool" }, default: false },
  ],
  adam: [
    { name: "lr", required: false, type: positive, default: 0.001 },
    { name: "beta1", required: false, type: fraction, default: 0.9 },
    { name: "beta2", required: false, type: fraction, default: 0.999 },
    { name: "epsilon", required: false, type: positive, default: 1e-7 },
  ],
  rmsprop: [
    { name: "lr", required: false, type: positive, default: 0.001 },
    { name: "rho", required: false, type: fraction, default: 0.9 },
    { name: "epsilon", required: false, type: positive, default: 1e-7 },
  ],
  adagrad: [
    { name: "lr", required: false, type: positive, default: 0.001 },
    { name: "initial_accumulator", required: false, type: positive, default: 0.1 },
  ],
};

export const DATA_ARGS: Readonly<Record<string, readonly ArgSchema[]>> = {
  mnist: [],
  idx: [
    { name: "images", required: true, type: { kind: "string" } },
    { name: "labels", required: true, type: { kind: "string" } },
  ],
  csv: [
    { name: "path", required: true, type: { kind: "string" } },
    { name: "label", required: false, type: { kind: "string" }, default: "label" },
  ],
  text: [
    { name: "path", required: true, type: { kind: "string" } },
    { name: "block", required: true, type: { kind: "int", min: 1 } },
  ],
  moby_dick: [{ name: "block", required: true, type: { kind: "int", min: 1 } }],
  synthetic: [
    { name: "samples", required: false, type: { kind: "int", min: 1 }, default: 1024 },
    { name: "classes", required: false, type: { kind: "int", min: 1 }, default: 10 },
    { name: "shape", required: false, type: { kind: "shape" } },
  ],
};

export const LOSSES = [
  "sparse_categorical_crossentropy",
  "categorical_crossentropy",
  "binary_crossentropy",
  "mse",
  "mae",
] as const;

export const METRICS = [
  "accuracy",
  "sparse_categorical_accuracy",
  "categorical_accuracy",
  "binary_accuracy",
  "mse",
  "mae",
] as const;

/** What the loss compares the output with (`target:`); absent = the data's labels. */
export const TARGETS = ["input"] as const;

export const STRATEGIES = ["auto", "data", "model", "pipeline"] as const;
