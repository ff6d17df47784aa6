import { describe, expect, it } from "vitest";
import { formatArgs } from "../../compiler/passes/expand/index.js";
import { frontend, layerSummary } from "./frontend.js";

function clean(src: readonly string[]) {
  const run = frontend(src);
  expect(run.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return run;
}

describe("expandBlocks", () => {
  it("chains statements through _ and names layers Keras-style", () => {
    const run = clean(["model M {", "  input x: [4]", "  dense(8) -> relu", "  dense(2)", "}"]);
    const m = run.models[0]!;
    expect(layerSummary(m)).toEqual(["x=input", "dense=dense<-0", "relu=relu<-1", "dense_1=dense<-2"]);
    expect(m.layers.every((l, i) => l.id === i)).toBe(true);
    expect(m.inputs).toEqual([0]);
    expect(m.outputs).toEqual([3]);
  });

  it("wires multi-input layers from their tensor arguments and keeps the rest as args", () => {
    const run = clean([
      "model M {",
      "  input a: [4]",
      "  input b: [4]",
      "  h = dense(4)",
      "  concat(a, h, _, axis: -1)",
      "}",
    ]);
    const last = run.models[0]!.layers[3]!;
    expect(last.inputs).toEqual([0, 2, 2]);
    expect(formatArgs(last.args)).toBe("axis: -1");
  });

  it("names a single-layer binding after its name, and outputs what `output` lists", () => {
    const run = clean([
      "model M {",
      "  input x: [4]",
      "  h = dense(3)",
      "  g = x -> dense(5)",
      "  output h, g",
      "}",
    ]);
    const m = run.models[0]!;
    expect(layerSummary(m)).toEqual(["x=input", "h=dense<-0", "g=dense<-0"]);
    expect(m.outputs).toEqual([1, 2]);
  });

  // `_` is the statement before: after `h = dense(4)` it is h itself, so add(h, _) adds h to itself.
  it("unrolls repeat, each pass in its own scope and from the previous pass's result", () => {
    const run = clean(["model M {", "  input x: [4]", "  repeat 3 { h = dense(4); add(h, _) }", "}"]);
    expect(layerSummary(run.models[0])).toEqual([
      "x=input",
      "h=dense<-0",
      "add=add<-1,1",
      "h_1=dense<-2",
      "add_1=add<-3,3",
      "h_2=dense<-4",
      "add_2=add<-5,5",
    ]);
  });

  it("expands blocks with parameters substituted, defaults filled and call sites recorded", () => {
    const run = clean([
      "block res(x, filters: int, stride: int = 1) {",
      "  conv2d(filters, kernel: 3, strides: stride) -> relu",
      "  add(_, x)",
      "}",
      "model M {",
      "  input image: [8, 8, 4]",
      "  res(_, 4) @data",
      "  res(_, 4, stride: 2)",
      "}",
    ]);
    const m = run.models[0]!;
    expect(layerSummary(m)).toEqual([
      "image=input",
      "res/conv2d=conv2d<-0",
      "res/relu=relu<-1",
      "res/add=add<-2,0",
      "res_1/conv2d=conv2d<-3",
      "res_1/relu=relu<-4",
      "res_1/add=add<-5,3",
    ]);
    expect(formatArgs(m.layers[1]!.args)).toBe("4, kernel: 3, strides: 1");
    expect(formatArgs(m.layers[4]!.args)).toBe("4, kernel: 3, strides: 2");
    expect(m.layers.slice(1, 4).every((l) => l.hints.map((h) => h.kind).join() === "data")).toBe(true);
    expect(m.layers[4]!.hints).toEqual([]);
    const site = m.layers[1]!.callSites[0]!;
    expect(run.source.text.slice(site.start, site.end)).toBe("res(_, 4)");
    // The substituted value points where it was written: the call's argument.
    const filters = m.layers[4]!.args.positional[0]!;
    expect(run.source.position(filters.span.start)).toEqual({ line: 8, column: 10 });
  });

  it("records nested call sites innermost first and prefixes names with the call path", () => {
    const run = clean([
      "block inner(x) { relu }",
      "block outer(x) { inner; inner }",
      "model M {",
      "  input x: [4]",
      "  outer",
      "}",
    ]);
    const m = run.models[0]!;
    expect(m.layers.map((l) => l.name)).toEqual(["x", "outer/inner/relu", "outer/inner_1/relu"]);
    expect(m.layers[2]!.callSites.map((s) => run.source.position(s.start))).toEqual([
      { line: 2, column: 25 },
      { line: 5, column: 3 },
    ]);
  });

  it("starts `_` inside a block at its first tensor parameter", () => {
    const run = clean([
      "block b(x, y) { add(_, y) }",
      "model M {",
      "  input p: [4]",
      "  input q: [4]",
      "  b(q, p)",
      "}",
    ]);
    expect(layerSummary(run.models[0])).toEqual(["p=input", "q=input", "b/add=add<-1,0"]);
  });

  it("feeds a block called without tensors from the chain", () => {
    const run = clean([
      "block head(x, n: int) { dense(n) }",
      "model M {",
      "  input x: [4]",
      "  relu -> head(3)",
      "}",
    ]);
    expect(layerSummary(run.models[0])).toEqual(["x=input", "relu=relu<-0", "head/dense=dense<-1"]);
  });

  it("does not let a block see its caller's tensors", () => {
    const run = frontend([
      "block b(x) { add(x, y) }",
      "model M {",
      "  input x: [4]",
      "  y = relu",
      "  b",
      "}",
    ]);
    expect(run.diagnostics.map((d) => d.code)).toEqual(["MG1005"]);
  });

  it("allows the same name in different repeat passes and in nested scopes", () => {
    clean(["model M {", "  input x: [4]", "  repeat 2 { h = relu; repeat 2 { h = tanh } }", "}"]);
  });

  it("takes a bare name as a tensor when one is bound, else as a call", () => {
    const run = clean(["model M {", "  input x: [4]", "  relu", "  x -> tanh", "}"]);
    expect(layerSummary(run.models[0])).toEqual(["x=input", "relu=relu<-0", "tanh=tanh<-0"]);
  });

  it("attaches sections to models by name, or to the only model", () => {
    const run = clean([
      "parallel B { devices: 4 }",
      "model A { input x: [4] }",
      "train A { epochs: 2, }".replace(", ", " "),
      "model B { input t: int32[16] embedding(100, 8) }",
    ]);
    const [a, b] = run.models;
    expect(a!.train?.entries.map((e) => e.key)).toEqual(["epochs"]);
    expect(a!.parallel).toBeUndefined();
    expect(b!.parallel?.entries[0]?.value).toMatchObject({ kind: "number", value: 4 });
    expect(b!.layers[0]!.input).toMatchObject({ name: "t", dtype: "int32", shape: [16] });
  });

  it("stops a repeat whose passes change nothing, however large its count", () => {
    const run = clean(["model M {", "  input x: [4]", "  repeat 1000000000 { x }", "}"]);
    expect(layerSummary(run.models[0])).toEqual(["x=input"]);
  });

  it("reports one error for a mistake in a block called many times", () => {
    const run = frontend(["block b(x) { dens }", "model M {", "  input x: [4]", "  repeat 50 { b }", "}"]);
    expect(run.diagnostics.map((d) => d.code)).toEqual(["MG1003"]);
  });

  it("refuses a million-layer unrolling before building it", () => {
    const run = frontend([
      "block b(x) { repeat 1000 { relu } }",
      "model M {",
      "  input x: [4]",
      "  repeat 1000000 { b }",
      "}",
    ]);
    expect(run.diagnostics.map((d) => d.code)).toEqual(["MG1013"]);
    expect(run.models[0]!.layers).toEqual([]);
  });
});
