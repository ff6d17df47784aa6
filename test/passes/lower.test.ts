import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { verifyGraph } from "../../compiler/ir/verify.js";
import { lower } from "../../compiler/passes/lower.js";
import { buildModel, context, type LayerSpec } from "./build.js";

function lowerOne(shape: readonly number[], layer: LayerSpec) {
  const model = buildModel(shape, [layer]);
  const ctx = context();
  const graph = lower(model, ctx);
  expect(verifyGraph(graph)).toEqual([]);
  return { model, graph, diagnostics: ctx.diagnostics.items, layer: model.layers[1]! };
}

const brief = (d: Diagnostic) => ({ code: d.code, start: d.span.start, hint: d.hint });

describe("lower", () => {
  it("makes input nodes with shape and dtype", () => {
    const { graph } = lowerOne([28, 28, 1], { op: "flatten" });
    expect(graph.nodes[0]).toMatchObject({ op: "input", attrs: { shape: [28, 28, 1], dtype: "float32" } });
    expect(graph.nodes[1]).toMatchObject({ op: "flatten", inputs: [0], name: "flatten" });
  });

  it("reports an unknown argument at its name, with a did-you-mean", () => {
    const { diagnostics, layer } = lowerOne([8, 8, 1], { op: "conv2d", pos: [4], kw: { kernal: 3 } });
    const kernal = layer.args.keyword[0]!;
    expect(diagnostics.map(brief)).toEqual([
      { code: "MG2010", start: kernal.nameSpan.start, hint: "did you mean 'kernel'?" },
      { code: "MG2012", start: layer.span.start, hint: "write `kernel: 3`" },
    ]);
    expect(diagnostics[0]!.message).toBe("unknown argument 'kernal' for conv2d");
  });

  it("reports too many positional arguments at the first extra one", () => {
    const { diagnostics, layer } = lowerOne([8], { op: "dense", pos: [4, "relu", true, 5] });
    expect(diagnostics.map(brief)).toEqual([
      { code: "MG2011", start: layer.args.positional[3]!.span.start, hint: undefined },
    ]);
  });

  it("reports an argument given twice", () => {
    const { diagnostics, layer } = lowerOne([8], { op: "dense", pos: [4], kw: { units: 5 } });
    expect(diagnostics.map(brief)).toEqual([
      { code: "MG2013", start: layer.args.keyword[0]!.nameSpan.start, hint: undefined },
    ]);
  });

  it("reports wrong types at the value", () => {
    const { diagnostics, layer } = lowerOne([8, 8, 1], {
      op: "conv2d",
      pos: [3.5, [3, 3, 3]],
      kw: { padding: 1, use_bias: "yes" },
    });
    expect(diagnostics.map((d) => [d.code, d.span.start])).toEqual([
      ["MG2014", layer.args.positional[0]!.span.start],
      ["MG2014", layer.args.positional[1]!.span.start],
      ["MG2014", layer.args.keyword[0]!.value.span.start],
      ["MG2014", layer.args.keyword[1]!.value.span.start],
    ]);
    expect(diagnostics[0]!.message).toBe("argument 'filters' of conv2d expects an integer, got 3.5");
  });

  it("reports a bad enum value with a did-you-mean", () => {
    const { diagnostics, layer } = lowerOne([8], { op: "dense", pos: [4], kw: { activation: "rellu" } });
    expect(diagnostics.map(brief)).toEqual([
      { code: "MG2015", start: layer.args.keyword[0]!.value.span.start, hint: "did you mean 'relu'?" },
    ]);
  });

  for (const [op, pos, kw, at] of [
    ["dense", [0], {}, 0],
    ["conv2d", [8, 0], {}, 1],
    ["conv2d", [8, 3], { strides: [1, 0] }, "kw"],
    ["dropout", [1], {}, 0],
    ["dropout", [-0.1], {}, 0],
    ["reshape", [[0, 4]], {}, 0],
    ["reshape", [[-1, -1]], {}, 0],
    ["zeropad2d", [-1], {}, 0],
    ["batchnorm", [], { epsilon: 0 }, "kw"],
    ["embedding", [0, 8], {}, 0],
  ] as const)
    it(`reports the out-of-range ${op}(${JSON.stringify(pos)}, ${JSON.stringify(kw)})`, () => {
      const { diagnostics, layer } = lowerOne([8, 8, 4], { op, pos, kw });
      const value = at === "kw" ? layer.args.keyword[0]!.value.span : layer.args.positional[at]!.span;
      expect(diagnostics.map((d) => d.code)).toContain(op === "zeropad2d" ? "MG2014" : "MG2016");
      expect(diagnostics[0]!.span.start).toBe(value.start);
    });

  it("requires at least two tensors for add, and exactly one for dense", () => {
    const add = lowerOne([8], { op: "add", inputs: [0] });
    expect(add.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["MG2020", "add takes at least 2 tensor input(s), got 1"],
    ]);
    const dense = lowerOne([8], { op: "dense", pos: [2], inputs: [0, 0] });
    expect(dense.diagnostics.map((d) => d.code)).toEqual(["MG2020"]);
  });

  it("never mutates its input and fills every default", () => {
    const model = buildModel([8, 8, 3], [{ op: "depthwise_conv2d", pos: [3] }]);
    const before = JSON.stringify(model);
    const graph = lower(model, context());
    expect(JSON.stringify(model)).toBe(before);
    expect(graph.nodes[1]!.attrs).toEqual({
      kernel: [3, 3],
      strides: [1, 1],
      padding: "valid",
      depth_multiplier: 1,
      dilation: [1, 1],
      activation: "linear",
      use_bias: true,
    });
  });
});
