import { describe, expect, it } from "vitest";
import { check, CNN, entry, MLP } from "./check-data-fixtures.js";

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

  it("checks synthetic data against its shape, or the input's when it has none", () => {
    const loss = "sparse_categorical_crossentropy";
    expect(check([784], MLP, { data: { call: "synthetic" }, loss }).diagnostics).toEqual([]);
    const shaped = check([784], MLP, { data: { call: "synthetic", kw: { shape: [32, 32, 3] } }, loss });
    expect(shaped.diagnostics.map((d) => d.code)).toEqual(["MG2104"]);
    expect(shaped.diagnostics[0]!.hint).toBe(
      "declare `input image: [32, 32, 3]`, or feed data of shape [784]",
    );
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

  it("MG2108: MNIST's digits are no binary labels; categorical cross-entropy takes them as class ids", () => {
    const train = (loss: string) => ({ data: "mnist", loss });
    expect(
      check([28, 28], [{ op: "flatten" }, ...MLP], train("categorical_crossentropy")).diagnostics,
    ).toEqual([]);
    const binary = check(
      [28, 28],
      [{ op: "flatten" }, { op: "dense", pos: [1] }],
      train("binary_crossentropy"),
    );
    expect(binary.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      [
        "MG2108",
        "loss 'binary_crossentropy' needs 0/1 labels, but data 'mnist' gives digit (0-9) labels",
        "mnist has 10 classes: use `loss: sparse_categorical_crossentropy` with `dense(10, activation: softmax)`",
      ],
    ]);
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

// Data files of one's own, written per test run: check-data reads their headers and first rows.
