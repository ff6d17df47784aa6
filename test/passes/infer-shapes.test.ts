import { describe, expect, it } from "vitest";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { buildModel, context, span, type LayerSpec } from "./build.js";

function infer(shape: readonly number[], layers: readonly LayerSpec[]) {
  const model = buildModel(shape, layers);
  const ctx = context();
  const graph = inferShapes(lower(model, ctx), ctx);
  return { graph, diagnostics: ctx.diagnostics.items, model };
}

describe("infer-shapes diagnostics", () => {
  it("MG2001: conv2d on a flat input, with the image shape the user meant", () => {
    const { diagnostics, model } = infer([784], [{ op: "conv2d", pos: [32], kw: { kernel: 3 } }]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: "MG2001",
      span: model.layers[1]!.span,
      message:
        "conv2d expects [height, width, channels] per sample, got [784]; declare input image: [28, 28, 1] or reshape first",
    });
  });

  it("MG2001: pooling after a dense layer suggests reshaping", () => {
    const { diagnostics } = infer(
      [28, 28, 1],
      [{ op: "flatten" }, { op: "dense", pos: [10] }, { op: "maxpool2d" }],
    );
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["MG2001", "maxpool2d expects [height, width, channels] per sample, got [10]; reshape first"],
    ]);
  });

  it("MG2002: dense on a sample without axes", () => {
    const { diagnostics } = infer([], [{ op: "dense", pos: [4] }]);
    expect(diagnostics.map((d) => d.code)).toEqual(["MG2002"]);
  });

  it("MG2003: a pooling window larger than its input", () => {
    const { diagnostics, model } = infer([4, 4, 8], [{ op: "maxpool2d", pos: [5] }]);
    expect(diagnostics[0]).toMatchObject({
      code: "MG2003",
      span: model.layers[1]!.span,
      message: "maxpool2d window [5, 5] is larger than its input [4, 4, 8]",
    });
    expect(diagnostics[0]!.hint).toContain("padding: same");
    expect(infer([4, 4, 8], [{ op: "maxpool2d", pos: [5], kw: { padding: "same" } }]).diagnostics).toEqual(
      [],
    );
  });

  it("MG2004: a valid convolution whose (dilated) kernel exceeds the input", () => {
    const plain = infer([4, 4, 1], [{ op: "conv2d", pos: [2, 5] }]).diagnostics;
    expect(plain.map((d) => d.message)).toEqual([
      "conv2d with kernel [5, 5] and padding valid leaves nothing of its input [4, 4, 1]",
    ]);
    const dilated = infer([6, 6, 1], [{ op: "depthwise_conv2d", pos: [3], kw: { dilation: 3 } }]).diagnostics;
    expect(dilated.map((d) => d.code)).toEqual(["MG2004"]);
    expect(dilated[0]!.message).toContain("dilated [7, 7]");
  });

  it("MG2021: strides and dilation both above 1", () => {
    const { diagnostics } = infer(
      [16, 16, 1],
      [{ op: "conv2d", pos: [2, 3], kw: { strides: 2, dilation: 2 } }],
    );
    expect(diagnostics.map((d) => d.code)).toEqual(["MG2021"]);
  });

  it("MG2005: add of different shapes names both", () => {
    const { diagnostics } = infer(
      [8, 8, 3],
      [
        { op: "conv2d", pos: [16, 1] },
        { op: "add", inputs: [1, 0] },
      ],
    );
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["MG2005", "add needs inputs of the same shape, got [8, 8, 16] and [8, 8, 3]"],
    ]);
  });

  it("MG2006 and MG2007: concat mismatches and bad axes", () => {
    const layers = (axis: number): LayerSpec[] => [
      { op: "maxpool2d", inputs: [0] },
      { op: "concat", kw: { axis }, inputs: [0, 1] },
    ];
    expect(infer([8, 8, 3], layers(-1)).diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["MG2006", "concat along axis -1 needs inputs equal on every other axis, got [8, 8, 3] and [4, 4, 3]"],
    ]);
    expect(infer([8, 8, 3], layers(0)).diagnostics.map((d) => d.code)).toEqual(["MG2007"]);
    expect(infer([8, 8, 3], layers(4)).diagnostics.map((d) => d.code)).toEqual(["MG2007"]);
  });

  it("MG2008 and MG2009: reshape element counts", () => {
    const wrong = infer([784], [{ op: "reshape", pos: [[28, 27]] }]).diagnostics;
    expect(wrong.map((d) => [d.code, d.message])).toEqual([
      ["MG2008", "reshape to [28, 27] needs 756 elements per sample, but its input [784] has 784"],
    ]);
    expect(infer([784], [{ op: "reshape", pos: [[-1, 5]] }]).diagnostics.map((d) => d.code)).toEqual([
      "MG2009",
    ]);
  });

  it("reports one mistake once: consumers of a failed layer are skipped", () => {
    const { diagnostics, graph } = infer(
      [784],
      [{ op: "conv2d", pos: [8, 3] }, { op: "maxpool2d" }, { op: "flatten" }, { op: "dense", pos: [10] }],
    );
    expect(diagnostics.map((d) => d.code)).toEqual(["MG2001"]);
    expect(graph.nodes[4]!.outputShape).toBeUndefined();
  });

  it("adds the block call sites as notes, innermost first", () => {
    const inner = span(900, 920);
    const outer = span(950, 970);
    const { diagnostics } = infer(
      [8, 8, 3],
      [
        { op: "conv2d", pos: [16, 1], callSites: [inner, outer] },
        { op: "add", inputs: [1, 0], callSites: [inner, outer] },
      ],
    );
    expect(diagnostics[0]!.notes).toEqual([
      { message: "in block call here", span: inner },
      { message: "in block call here", span: outer },
    ]);
  });
});
