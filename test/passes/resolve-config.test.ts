import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveParallel, resolveTraining } from "../../compiler/passes/resolve-config.js";
import { buildModel, context, type Plain } from "./build.js";

function training(entries: Record<string, Plain> | undefined, baseDir = "/nowhere") {
  const model = buildModel([4], [], entries ? { train: entries } : {});
  const ctx = context();
  return { config: resolveTraining(model, ctx, baseDir), diagnostics: ctx.diagnostics.items, model };
}

function parallel(entries: Record<string, Plain>) {
  const model = buildModel([4], [], { parallel: entries });
  const ctx = context();
  return { config: resolveParallel(model, ctx), diagnostics: ctx.diagnostics.items };
}

describe("resolveTraining", () => {
  it("fills Keras's defaults when the section is absent", () => {
    const { config, diagnostics } = training(undefined);
    expect(diagnostics).toEqual([]);
    expect(config).toEqual({
      optimizer: { kind: "rmsprop", lr: 0.001, rho: 0.9, epsilon: 1e-7 },
      metrics: [],
      epochs: 1,
      batch: 32,
      validation: 0,
      seed: 0,
      spans: {},
    });
  });

  it("reads every setting, with tfjs optimizer defaults for the rest", () => {
    const { config, diagnostics, model } = training({
      data: "mnist",
      optimizer: { call: "adam", kw: { lr: 0.01 } },
      loss: "sparse_categorical_crossentropy",
      metrics: ["accuracy"],
      epochs: 5,
      batch: 64,
      validation: 0.1,
      seed: 42,
    });
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({
      data: { kind: "mnist" },
      optimizer: { kind: "adam", lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      loss: "sparse_categorical_crossentropy",
      metrics: ["accuracy"],
      epochs: 5,
      batch: 64,
      validation: 0.1,
      seed: 42,
    });
    expect(config.spans.data).toEqual(model.train!.entries[0]!.value.span);
  });

  it("takes bare optimizers and every data source", () => {
    expect(training({ optimizer: "sgd" }).config.optimizer).toEqual({
      kind: "sgd",
      lr: 0.01,
      momentum: 0,
      nesterov: false,
    });
    expect(training({ optimizer: "adagrad" }).config.optimizer).toEqual({
      kind: "adagrad",
      lr: 0.001,
      initialAccumulator: 0.1,
    });
    const synthetic = training({ data: { call: "synthetic", kw: { samples: 256, classes: 1000 } } }).config
      .data;
    expect(synthetic).toEqual({ kind: "synthetic", samples: 256, classes: 1000 });
  });

  it("resolves data paths against the model's folder and warns when a file is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "mgpuc-data-"));
    writeFileSync(join(dir, "train.csv"), "a,label\n1,0\n");
    const found = training({ data: { call: "csv", kw: { path: { str: "train.csv" } } } }, dir);
    expect(found.diagnostics).toEqual([]);
    expect(found.config.data).toEqual({ kind: "csv", path: join(dir, "train.csv"), label: "label" });
    const missing = training(
      { data: { call: "idx", kw: { images: { str: "i.idx" }, labels: { str: "l.idx" } } } },
      dir,
    );
    expect(missing.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ["MG2204", "warning"],
      ["MG2204", "warning"],
    ]);
    expect(missing.diagnostics[0]!.message).toContain(join(dir, "i.idx"));
  });

  it("reports unknown names with a did-you-mean, at the value", () => {
    const { diagnostics, model } = training({
      optimizer: "adan",
      loss: "mse_loss",
      data: "mnis",
      metrics: ["acuracy"],
    });
    expect(diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["MG2201", "did you mean 'adam'?"],
      ["MG2201", "did you mean 'mnist'?"],
      ["MG2201", undefined],
      ["MG2201", "did you mean 'accuracy'?"],
    ]);
    expect(diagnostics[0]!.span).toEqual(model.train!.entries[0]!.value.span);
  });

  it("checks optimizer arguments and setting ranges", () => {
    const { diagnostics } = training({
      optimizer: { call: "adam", kw: { lr: -1, betta1: 0.9 } },
      epochs: 0,
      batch: 2.5,
      validation: 1,
      seed: -3,
    });
    expect(diagnostics.map((d) => d.code)).toEqual([
      "MG2010",
      "MG2016",
      "MG2203",
      "MG2203",
      "MG2202",
      "MG2203",
    ]);
  });
});

describe("resolveParallel", () => {
  it("defaults to all devices, auto", () => {
    expect(parallel({}).config).toEqual({ devices: "all", strategy: "auto", spans: {} });
  });
  it("reads devices, strategy, profile and microbatches", () => {
    const { config, diagnostics } = parallel({
      devices: 8,
      strategy: "pipeline",
      profile: "h100",
      microbatches: 16,
    });
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({ devices: 8, strategy: "pipeline", profile: "h100", microbatches: 16 });
    expect(parallel({ devices: "all", profile: { str: "my.json" } }).config).toMatchObject({
      devices: "all",
      profile: "my.json",
    });
  });
  it("reports bad values", () => {
    const { diagnostics } = parallel({ devices: 0, strategy: "modell", microbatches: 0 });
    expect(diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["MG2203", undefined],
      ["MG2201", "did you mean 'model'?"],
      ["MG2203", undefined],
    ]);
    expect(parallel({ devices: "every" }).diagnostics.map((d) => d.code)).toEqual(["MG2201"]);
  });
});
