import { describe, expect, it } from "vitest";
import { checkData } from "../../compiler/passes/check-data.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { resolveTraining } from "../../compiler/passes/resolve-config.js";
import { buildModel, context, type LayerSpec, type Plain } from "./build.js";

const MLP: LayerSpec[] = [
  { op: "dense", pos: [128], kw: { activation: "relu" } },
  { op: "dense", pos: [10], kw: { activation: "softmax" } },
];
const CNN: LayerSpec[] = [
  { op: "conv2d", pos: [8, 3] },
  { op: "flatten" },
  { op: "dense", pos: [10], kw: { activation: "softmax" } },
];

function check(shape: readonly number[], layers: readonly LayerSpec[], train: Record<string, Plain>) {
  const model = buildModel(shape, layers, { train });
  const ctx = context();
  const graph = inferShapes(lower(model, ctx), ctx);
  const training = resolveTraining(model, ctx, "/nowhere");
  expect(ctx.diagnostics.items).toEqual([]);
  checkData(graph, training, ctx);
  return { diagnostics: ctx.diagnostics.items, model };
}

const entry = (model: ReturnType<typeof buildModel>, key: string) =>
  model.train!.entries.find((e) => e.key === key)!.value.span;

describe("check-data", () => {
  it("MG2104: the seed's bug, 784 inputs fed 28×28 MNIST images, at the data value with a fix", () => {
    const { diagnostics, model } = check([784], MLP, {
      data: "mnist",
      loss: "sparse_categorical_crossentropy",
    });
    expect(diagnostics).toEqual([
      {
        code: "MG2104",
        severity: "error",
        message: "data 'mnist' gives samples of shape [28, 28]; input 'image' expects [784]",
        span: entry(model, "data"),
        hint: "declare `input image: [28, 28]` and add `flatten`, or `reshape([784])` first",
      },
    ]);
  });

  it("accepts equal shapes and a trailing axis of 1", () => {
    const train = { data: "mnist", loss: "sparse_categorical_crossentropy" };
    expect(check([28, 28], [{ op: "flatten" }, ...MLP], train).diagnostics).toEqual([]);
    expect(check([28, 28, 1], CNN, train).diagnostics).toEqual([]);
    expect(check([28, 28, 3], CNN, train).diagnostics.map((d) => d.code)).toEqual(["MG2104"]);
  });

  it("checks synthetic data only when it has a shape, and never csv", () => {
    const loss = "sparse_categorical_crossentropy";
    expect(check([784], MLP, { data: { call: "synthetic" }, loss }).diagnostics).toEqual([]);
    const shaped = check([784], MLP, { data: { call: "synthetic", kw: { shape: [32, 32, 3] } }, loss });
    expect(shaped.diagnostics.map((d) => d.code)).toEqual(["MG2104"]);
    expect(shaped.diagnostics[0]!.hint).toBe(
      "declare `input image: [32, 32, 3]`, or feed data of shape [784]",
    );
    expect(
      check([5], MLP, { data: { call: "csv", kw: { path: { str: "/dev/null" } } }, loss }).diagnostics,
    ).toEqual([]);
  });

  it("MG2105: sparse labels need a [classes] output", () => {
    const { diagnostics, model } = check([784], [{ op: "dense", pos: [1] }], {
      data: "mnist",
      loss: "sparse_categorical_crossentropy",
    });
    expect(diagnostics.map((d) => d.code)).toEqual(["MG2104", "MG2105"]);
    expect(diagnostics[1]!.span).toEqual(entry(model, "loss"));
    expect(diagnostics[1]!.message).toBe(
      "loss 'sparse_categorical_crossentropy' needs an output of shape [classes] with at least 2 classes; output 'dense' has shape [1]",
    );
  });

  it("MG2106: binary cross-entropy needs a last axis of 1", () => {
    const { diagnostics } = check([4], MLP, { loss: "binary_crossentropy" });
    expect(diagnostics.map((d) => d.code)).toEqual(["MG2106"]);
  });

  it("MG2107: class counts of the data and the output must agree", () => {
    const synthetic = check([784], MLP, {
      data: { call: "synthetic", kw: { classes: 1000 } },
      loss: "sparse_categorical_crossentropy",
    });
    expect(synthetic.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["MG2107", "the data has 1000 classes but output 'dense_1' has 10"],
    ]);
    const mnist = check([28, 28], [{ op: "flatten" }, { op: "dense", pos: [7] }], {
      data: "mnist",
      loss: "sparse_categorical_crossentropy",
    });
    expect(mnist.diagnostics.map((d) => d.code)).toEqual(["MG2107"]);
  });

  it("MG2108: MNIST's integer labels do not fit one-hot or binary losses", () => {
    const train = (loss: string) => ({ data: "mnist", loss });
    expect(
      check([28, 28], [{ op: "flatten" }, ...MLP], train("categorical_crossentropy")).diagnostics[0],
    ).toMatchObject({
      code: "MG2108",
      hint: "use `loss: sparse_categorical_crossentropy` for integer labels",
    });
    const binary = check(
      [28, 28],
      [{ op: "flatten" }, { op: "dense", pos: [1] }],
      train("binary_crossentropy"),
    );
    expect(binary.diagnostics.map((d) => d.code)).toEqual(["MG2108"]);
  });

  it("checks a validation data source too", () => {
    const { diagnostics, model } = check([784], MLP, {
      data: { call: "synthetic" },
      validation: "mnist",
      loss: "sparse_categorical_crossentropy",
    });
    expect(diagnostics.map((d) => [d.code, d.span])).toEqual([["MG2104", entry(model, "validation")]]);
  });

  it("does nothing without data or loss", () => {
    expect(check([784], [{ op: "dense", pos: [1] }], {}).diagnostics).toEqual([]);
  });
});
