import { describe, expect, it } from "vitest";
import { compileModelText } from "../placement/graphs.js";
import { frontend, located } from "./frontend.js";

/** Compiles a file on one device; every layer's name, output shape and parameter count. */
function layers(src: readonly string[]): string[] {
  const result = compileModelText(src.join("\n"), { devices: 1 });
  expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return result.plan!.layers.map((l) => `${l.name} [${l.outputShape.join(", ")}] ${l.params}`);
}

describe("a block's value parameters passed on to another block", () => {
  it("pass positionally to an inner block and reach its layers (`inner(_, n)`)", () => {
    expect(
      layers([
        "block inner(x, n: int) { dense(n, activation: relu) }",
        "block outer(x, n: int) { inner(_, n) }",
        "model M {",
        "  input x: [16]",
        "  outer(_, 8)",
        "  dense(2)",
        "}",
      ]),
    ).toEqual(["x [16] 0", "outer/inner/dense [8] 136", "dense [2] 18"]);
  });

  it("forward through three levels, positionally and by keyword, with defaults filled on the way", () => {
    expect(
      layers([
        "block leaf(x, units: int, rate: float = 0.0) { dense(units) -> dropout(rate) }",
        "block mid(x, units: int, rate: float = 0.25) {",
        "  leaf(_, units, rate)",
        "  leaf(_, units)",
        "}",
        "block top(x, n: int, wide: int = 12) {",
        "  mid(_, n)",
        "  mid(_, wide, rate: 0.5)",
        "  h = dense(n)",
        "  add(h, _)",
        "}",
        "model M {",
        "  input x: [16]",
        "  top(_, 8)",
        "}",
      ]).map((l) => l.replace(/^top\//, "")),
    ).toEqual([
      "x [16] 0",
      "mid/leaf/dense [8] 136",
      "mid/leaf/dropout [8] 0",
      "mid/leaf_1/dense [8] 72",
      "mid/leaf_1/dropout [8] 0",
      "mid_1/leaf/dense [12] 108",
      "mid_1/leaf/dropout [12] 0",
      "mid_1/leaf_1/dense [12] 156",
      "mid_1/leaf_1/dropout [12] 0",
      "h [8] 104",
      "add [8] 0",
    ]);
  });

  it("keep the rates they were given: positional, default, and by keyword", () => {
    const run = frontend([
      "block leaf(x, units: int, rate: float = 0.0) { dropout(rate) }",
      "block mid(x, units: int, rate: float = 0.25) { leaf(_, units, rate) }",
      "block top(x, n: int) { mid(_, n); mid(_, n, rate: 0.5); leaf(_, n) }",
      "model M {",
      "  input x: [16]",
      "  top(_, 8)",
      "}",
    ]);
    expect(located(run)).toEqual([]);
    const rates = run.models[0]!.layers.slice(1).map((l) => {
      const v = l.args.positional[0];
      return v?.kind === "number" ? v.value : undefined;
    });
    expect(rates).toEqual([0.25, 0.5, 0]);
  });

  it("pass to a multi-input layer after its tensors", () => {
    const run = frontend([
      "block join(a, b, ax: int) { concat(a, b, ax) }",
      "model M {",
      "  input x: [4]",
      "  h = dense(4)",
      "  join(x, h, -1)",
      "}",
    ]);
    expect(located(run)).toEqual([]);
    const last = run.models[0]!.layers.at(-1)!;
    expect(last.inputs).toEqual([0, 1]);
    expect(last.args.positional.map((v) => (v.kind === "number" ? v.value : v.kind))).toEqual([-1]);
  });

  it("give way to a tensor bound under the same name", () => {
    const run = frontend([
      "block two(a, b) { add(a, b) }",
      "block outer(x, n: int) {",
      "  n = dense(4)",
      "  two(x, n)",
      "}",
      "model M {",
      "  input x: [4]",
      "  outer(_, 3)",
      "}",
    ]);
    expect(located(run)).toEqual([]);
    expect(run.models[0]!.layers.at(-1)!.inputs).toEqual([0, 1]);
  });

  it("still leave a genuinely wrong call to MG1008, with a hint for a name bound nowhere", () => {
    const run = frontend([
      "block inner(x, n: int) { dense(n) }",
      "block outer(x, n: int) { inner(_, m) }",
      "model M {",
      "  input x: [16]",
      "  outer(_, 8)",
      "}",
    ]);
    expect(located(run)).toEqual(["MG1008 2:31"]);
    expect(run.diagnostics[0]!.message).toBe("block 'inner' takes 1 tensor argument(s) first, got 2");
    expect(run.diagnostics[0]!.hint).toContain("'m' is neither a tensor in scope nor a value parameter");
    expect(run.diagnostics[0]!.hint).toContain("did you mean 'n'?");
    expect(run.diagnostics[0]!.hint).toContain("inner(x, n: int)");
  });

  it("count as a tensor when bound as one, so too many tensors are MG1008", () => {
    const run = frontend([
      "block inner(x, n: int) { dense(n) }",
      "block outer(x, y, n: int) { inner(x, y, n) }",
      "model M {",
      "  input x: [16]",
      "  outer(x, x, 8)",
      "}",
    ]);
    expect(located(run)).toEqual(["MG1008 2:34"]);
    expect(run.diagnostics[0]!.hint).toBeUndefined();
  });
});
