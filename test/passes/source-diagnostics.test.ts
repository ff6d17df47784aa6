import { describe, expect, it } from "vitest";
import { renderDiagnostics } from "../../compiler/diagnostics/render.js";
import { compileText, positions } from "./compile.js";

/** Inline sources; positions are asserted as `CODE line:column`, as the rendered output shows them. */
describe("argument and shape diagnostics in source", () => {
  it("MG2001 at the conv2d call, with LANGUAGE.md's message", () => {
    const result = compileText(
      [
        "model Mnist {",
        "  input image: [784]",
        "  conv2d(32, kernel: 3, activation: relu)",
        "  flatten",
        "}",
      ].join("\n"),
      "mnist.model",
    );
    expect(positions(result)).toEqual(["MG2001 3:3"]);
    const text = renderDiagnostics(result.diagnostics, () => result.source, { color: false });
    expect(text).toContain(
      "mnist.model:3:3 error MG2001: conv2d expects [height, width, channels] per sample, got [784]; declare input image: [28, 28, 1] or reshape first",
    );
  });

  it("argument mistakes point at the argument", () => {
    const result = compileText(
      [
        "model M {",
        "  input image: [28, 28, 1]",
        "  conv2d(32, kernal: 3)",
        "  dense(0, activation: rellu)",
        "  dropout(1.5)",
        "}",
      ].join("\n"),
    );
    expect(positions(result)).toEqual([
      "MG2010 3:14",
      "MG2012 3:3",
      "MG2016 4:9",
      "MG2015 4:24",
      "MG2016 5:11",
    ]);
    expect(result.diagnostics.map((d) => d.hint)).toEqual([
      "did you mean 'kernel'?",
      "write `kernel: 3`",
      undefined,
      "did you mean 'relu'?",
      undefined,
    ]);
  });

  it("a shape mistake inside a block called from a repeat names the call site", () => {
    const result = compileText(
      [
        "block widen(x, filters: int) {",
        "  conv2d(filters, kernel: 1)",
        "  add(_, x)",
        "}",
        "model M {",
        "  input image: [8, 8, 4]",
        "  repeat 2 { widen(_, 16) }",
        "}",
      ].join("\n"),
    );
    expect(positions(result)).toEqual(["MG2005 3:3"]);
    const d = result.diagnostics[0]!;
    expect(d.message).toBe("add needs inputs of the same shape, got [8, 8, 16] and [8, 8, 4]");
    expect(d.notes?.map((n) => [n.message, result.source.position(n.span.start)])).toEqual([
      ["in block call here", { line: 7, column: 14 }],
    ]);
  });

  it("a pooling window larger than its input, at the pooling call", () => {
    const result = compileText(["model M {", "  input image: [4, 4, 1]", "  maxpool2d(5)", "}"].join("\n"));
    expect(positions(result)).toEqual(["MG2003 3:3"]);
  });

  it("MG2104: the seed's 784-input model trained on mnist, at the data value", () => {
    const result = compileText(
      [
        "model Mlp {",
        "  input image: [784]",
        "  dense(128, activation: relu)",
        "  dense(10, activation: softmax)",
        "}",
        "train Mlp {",
        "  loss: sparse_categorical_crossentropy",
        "  data: mnist",
        "}",
      ].join("\n"),
      "typo.model",
    );
    expect(positions(result)).toEqual(["MG2104 8:9"]);
    const text = renderDiagnostics(result.diagnostics, () => result.source, { color: false });
    expect(text).toBe(
      [
        "typo.model:8:9 error MG2104: data 'mnist' gives samples of shape [28, 28]; input 'image' expects [784]",
        "  8 |   data: mnist",
        "    |         ~~~~~",
        "  hint: declare `input image: [28, 28]` and add `flatten`, or `reshape([784])` first",
        "1 error",
        "",
      ].join("\n"),
    );
  });
});
