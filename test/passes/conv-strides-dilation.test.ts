import { describe, expect, it } from "vitest";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { buildModel, context, type LayerSpec } from "./build.js";

function diagnose(layer: LayerSpec) {
  const model = buildModel([16, 16, 4], [layer]);
  const ctx = context();
  inferShapes(lower(model, ctx), ctx);
  return { diagnostics: ctx.diagnostics.items, span: model.layers[1]!.span };
}

describe("strides and dilation together (MG2021, as Keras refuses them)", () => {
  for (const op of ["conv2d", "depthwise_conv2d"] as const) {
    const pos = op === "conv2d" ? [8, 3] : [3];

    it(`${op}: refused at the layer's span, with a fix`, () => {
      const { diagnostics, span } = diagnose({ op, pos, kw: { strides: 2, dilation: [1, 2] } });
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]).toMatchObject({
        code: "MG2021",
        span,
        message: `${op} cannot combine strides [2, 2] with dilation [1, 2]: one of them must be 1 (as in Keras)`,
      });
      expect(diagnostics[0]!.hint).toMatch(/`strides: 1`.*`dilation: 1`/);
    });

    it(`${op}: either one alone is fine`, () => {
      expect(diagnose({ op, pos, kw: { strides: 2 } }).diagnostics).toEqual([]);
      expect(diagnose({ op, pos, kw: { dilation: [2, 3] } }).diagnostics).toEqual([]);
    });
  }
});
