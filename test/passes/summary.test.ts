import { describe, expect, it } from "vitest";
import { emitSummary } from "../../compiler/emit/summary.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { buildModel, context } from "./build.js";

function graph() {
  const ctx = context();
  const model = buildModel(
    [28, 28, 1],
    [{ op: "conv2d", pos: [32, 3] }, { op: "batchnorm" }, { op: "flatten" }, { op: "dense", pos: [1000] }],
  );
  return inferShapes(lower(model, ctx), ctx);
}

describe("emitSummary", () => {
  it("prints Keras's table and totals with thousands separators", () => {
    const lines = emitSummary(graph()).trimEnd().split("\n");
    expect(lines[0]).toBe('Model: "Test"');
    expect(lines[2]).toMatch(/^┃ Layer \(type\) +┃ Output Shape +┃ +Param # ┃ Placement ┃$/);
    expect(lines.find((l) => l.includes("conv2d (Conv2D)"))).toMatch(
      /│ \(None, 26, 26, 32\) +│ +320 │ - +│$/,
    );
    expect(lines.find((l) => l.includes("(Dense)"))).toContain("21,633,000");
    const total = 320 + 128 + 21_632 * 1000 + 1000;
    expect(lines.slice(-3)).toEqual([
      ` Total params: ${total.toLocaleString("en-US")} (82.53 MB)`,
      ` Trainable params: ${(total - 64).toLocaleString("en-US")} (${(((total - 64) * 4) / 1024 ** 2).toFixed(2)} MB)`,
      " Non-trainable params: 64 (256.00 B)",
    ]);
    const widths = new Set(lines.slice(1, -3).map((l) => [...l].length));
    expect(widths.size).toBe(1);
  });

  it("shows each node's placement, '-' for the rest", () => {
    const text = emitSummary(graph(), new Map([[1, "data×8"]]));
    expect(text.split("\n").find((l) => l.includes("conv2d"))).toMatch(/│ data×8 +│$/);
    expect(text.split("\n").find((l) => l.includes("(Flatten)"))).toMatch(/│ - +│$/);
  });
});
