import { describe, expect, it } from "vitest";
import { FRONTEND_MESSAGES } from "../../compiler/diagnostics/messages-frontend.js";
import { frontend, located } from "./frontend.js";

const M = (...lines: string[]) => ["model M {", "  input x: [4]", ...lines, "}"];

/** Every MG1xxx code: a file that triggers it, and every diagnostic expected, as `CODE line:col`. */
const CASES: readonly {
  code: string;
  title: string;
  src: readonly string[];
  expected: readonly string[];
  hint?: string;
}[] = [
  { code: "MG1001", title: "a missing value", src: M("  dense(3,)"), expected: ["MG1001 3:11"] },
  {
    code: "MG1001",
    title: "an unexpected character",
    src: ["model M {", "  input x: [2] $", "}"],
    expected: ["MG1001 2:16"],
  },
  {
    code: "MG1001",
    title: "an unterminated comment",
    src: ["model M { input x: [2] }", "/* never closed"],
    expected: ["MG1001 2:1"],
  },
  {
    code: "MG1002",
    title: "thousands of brackets",
    src: [`model M { input x: [2] dense(${"[".repeat(5000)}`],
    expected: ["MG1002 1:128"],
  },
  {
    code: "MG1003",
    title: "a misspelt layer",
    src: M("  dens(128, activation: relu)"),
    expected: ["MG1003 3:3"],
    hint: "did you mean 'dense'?",
  },
  {
    code: "MG1004",
    title: "a misspelt block",
    src: ["block residual(x, n: int) { dense(n) }", ...M("  residul(_, 4)")],
    expected: ["MG1004 4:3"],
    hint: "did you mean 'residual'?",
  },
  { code: "MG1005", title: "an unknown tensor", src: M("  add(x, y)"), expected: ["MG1005 3:10"] },
  {
    code: "MG1005",
    title: "an unknown output",
    src: M("  h = relu", "  output hh"),
    expected: ["MG1005 4:10"],
    hint: "did you mean 'h'?",
  },
  {
    code: "MG1006",
    title: "a duplicate binding",
    src: M("  h = dense(3)", "  h = dense(2)"),
    expected: ["MG1006 4:3"],
  },
  {
    code: "MG1007",
    title: "a binding named like a layer",
    src: M("  dense = relu"),
    expected: ["MG1007 3:3"],
  },
  {
    code: "MG1008",
    title: "too few tensors for a block",
    src: ["block two(a, b) { add(a, b) }", ...M("  two(x)")],
    expected: ["MG1008 4:6"],
  },
  {
    code: "MG1009",
    title: "an unknown block parameter",
    src: ["block b(x, n: int) { dense(n) }", ...M("  b(_, m: 3)")],
    expected: ["MG1010 4:3", "MG1009 4:8"],
    hint: "did you mean 'n'?",
  },
  {
    code: "MG1010",
    title: "a missing block parameter",
    src: ["block b(x, n: int) { dense(n) }", ...M("  b(_)")],
    expected: ["MG1010 4:3"],
  },
  {
    code: "MG1011",
    title: "a float for an int parameter",
    src: ["block b(x, n: int) { dense(n) }", ...M("  b(_, 2.5)")],
    expected: ["MG1011 4:8"],
  },
  {
    code: "MG1012",
    title: "mutual recursion",
    src: ["block a(x) { b }", "block b(x) { a }", ...M("  a")],
    expected: ["MG1012 2:14"],
  },
  {
    code: "MG1012",
    title: "direct recursion",
    src: ["block r(x) { r(_) }", ...M("  r")],
    expected: ["MG1012 1:14"],
  },
  {
    code: "MG1013",
    title: "runaway unrolling",
    src: M("  repeat 1000 { repeat 1001 { relu } }"),
    expected: ["MG1013 1:7"],
  },
  {
    code: "MG1014",
    title: "an unknown train key",
    src: ["model M { input x: [4] }", "train { epoch: 3 }"],
    expected: ["MG1014 2:9"],
    hint: "did you mean 'epochs'?",
  },
  {
    code: "MG1015",
    title: "a duplicate key",
    src: ["model M { input x: [4] }", "train { epochs: 3", "  epochs: 4 }"],
    expected: ["MG1015 3:3"],
  },
  {
    code: "MG1016",
    title: "two train sections",
    src: ["model M { input x: [4] }", "train { epochs: 1 }", "train M { epochs: 2 }"],
    expected: ["MG1016 3:7"],
  },
  {
    code: "MG1017",
    title: "a section for an unknown model",
    src: ["model M { input x: [4] }", "parallel N { devices: 2 }"],
    expected: ["MG1017 2:10"],
  },
  {
    code: "MG1018",
    title: "an unnamed section with two models",
    src: ["model A { input x: [4] }", "model B { input x: [4] }", "train { epochs: 1 }"],
    expected: ["MG1018 3:1"],
  },
  {
    code: "MG1019",
    title: "a model without input",
    src: ["model M {", "  dense(3)", "}"],
    expected: ["MG1019 1:7"],
  },
  {
    code: "MG1020",
    title: "bad input dimensions",
    src: ["model M { input x: [28, 0, 1.5] }"],
    expected: ["MG1020 1:25", "MG1020 1:28"],
  },
  {
    code: "MG1021",
    title: "a positional argument after a keyword one",
    src: ["model M { input x: [4] dense(activation: relu, 3) }"],
    expected: ["MG1021 1:48"],
  },
  {
    code: "MG1022",
    title: "a model declared twice",
    src: ["model M { input x: [4] }", "model M { input y: [4] }"],
    expected: ["MG1022 2:7"],
  },
  {
    code: "MG1022",
    title: "a block declared twice",
    src: ["block b(x) { relu }", "block b(x) { tanh }", "model M { input x: [4] b }"],
    expected: ["MG1022 2:7"],
  },
  { code: "MG1023", title: "a file without a model", src: ["block b(x) { relu }"], expected: ["MG1023 1:1"] },
  {
    code: "MG1024",
    title: "a tensor after '->'",
    src: M("  h = dense(3)", "  x -> h"),
    expected: ["MG1024 4:8"],
  },
  {
    code: "MG1025",
    title: "an input inside a block",
    src: ["block b(x) {", "  input y: [3]", "}", "model M { input x: [4] b }"],
    expected: ["MG1025 2:3"],
  },
  {
    code: "MG1025",
    title: "an output inside repeat",
    src: M("  repeat 2 { output _ }"),
    expected: ["MG1025 3:14"],
  },
  {
    code: "MG1026",
    title: "two output statements",
    src: M("  output x", "  output x"),
    expected: ["MG1026 4:3"],
  },
  {
    code: "MG1027",
    title: "a layer before the input",
    src: ["model M {", "  dense(3)", "  input x: [4]", "}"],
    expected: ["MG1027 2:3"],
  },
  { code: "MG1028", title: "'_' as a layer argument", src: M("  dense(_)"), expected: ["MG1028 3:9"] },
  {
    code: "MG1028",
    title: "'_' as a section value",
    src: ["model M { input x: [4] }", "train { epochs: _ }"],
    expected: ["MG1028 2:17"],
  },
  {
    code: "MG1029",
    title: "an unknown hint",
    src: M("  dense(3) @dat"),
    expected: ["MG1029 3:13"],
    hint: "did you mean 'data'?",
  },
  {
    code: "MG1030",
    title: "@stage without a number",
    src: M("  dense(3) @stage"),
    expected: ["MG1030 3:12"],
  },
  { code: "MG1031", title: "@data with a number", src: M("  dense(3) @data(2)"), expected: ["MG1031 3:18"] },
  {
    code: "MG1032",
    title: "an unknown parameter type",
    src: ["block b(x, n: integer) { relu }", "model M { input x: [4] b }"],
    expected: ["MG1032 1:15"],
  },
  {
    code: "MG1033",
    title: "a tensor parameter after a typed one",
    src: ["block b(n: int, x) { relu }", "model M { input x: [4] }"],
    expected: ["MG1034 1:7", "MG1033 1:17"],
  },
  {
    code: "MG1034",
    title: "a block without tensor parameters",
    src: ["block b(n: int) { relu }", "model M { input x: [4] }"],
    expected: ["MG1034 1:7"],
  },
  {
    code: "MG1035",
    title: "too many block arguments",
    src: ["block b(x, n: int) { dense(n) }", ...M("  b(_, 1, 2)")],
    expected: ["MG1035 4:11"],
  },
  {
    code: "MG1036",
    title: "a parameter given twice",
    src: ["block b(x, n: int) { dense(n) }", ...M("  b(_, 1, n: 2)")],
    expected: ["MG1036 4:11"],
  },
  {
    code: "MG1037",
    title: "a parameter declared twice",
    src: ["block b(x, x) { relu }", "model M { input x: [4] b }"],
    expected: ["MG1037 1:12"],
  },
  {
    code: "MG1038",
    title: "an unknown dtype",
    src: ["model M { input t: int64[4] }"],
    expected: ["MG1038 1:20"],
  },
  { code: "MG1039", title: "repeat 0", src: M("  repeat 0 { relu }"), expected: ["MG1039 3:10"] },
  {
    code: "MG1040",
    title: "210 blocks calling each other",
    src: [
      "block b0(x) { relu }",
      ...Array.from({ length: 209 }, (_, i) => `block b${i + 1}(x) { b${i} }`),
      ...M("  b209"),
    ],
    expected: ["MG1040 11:16"],
  },
  { code: "MG1041", title: "@devices(0)", src: M("  dense(3) @devices(0)"), expected: ["MG1041 3:21"] },
];

describe("front-end diagnostics", () => {
  it.each(CASES)("$code: $title", ({ src, expected, hint, code }) => {
    const run = frontend(src);
    expect(located(run)).toEqual(expected);
    const main = run.diagnostics.find((d) => d.code === code);
    expect(main?.message).toBeTruthy();
    if (hint !== undefined) expect(main?.hint).toBe(hint);
  });

  it("has a case for every MG1xxx code", () => {
    const covered = new Set(CASES.map((c) => c.code));
    expect(Object.keys(FRONTEND_MESSAGES).filter((code) => !covered.has(code))).toEqual([]);
  });

  it("names the cycle of a recursive block", () => {
    const run = frontend(["block a(x) { b }", "block b(x) { a }", ...M("  a")]);
    expect(run.diagnostics[0]?.message).toBe("recursive block: a -> b -> a");
  });

  it("points at the call site of a block that contains the error", () => {
    const run = frontend(["block b(x) {", "  dens(3)", "}", ...M("  b", "  b")]);
    expect(located(run)).toEqual(["MG1003 2:3"]);
    const notes = run.diagnostics[0]?.notes ?? [];
    expect(notes.map((n) => [n.message, run.source.position(n.span.start)])).toEqual([
      ["in block 'b' called here", { line: 6, column: 3 }],
    ]);
  });

  it("gives nested call sites innermost first", () => {
    const run = frontend(["block inner(x) { dens }", "block outer(x) { inner }", ...M("  outer")]);
    const notes = run.diagnostics[0]?.notes ?? [];
    expect(notes.map((n) => `${n.message} ${run.source.position(n.span.start).line}`)).toEqual([
      "in block 'inner' called here 2",
      "in block 'outer' called here 5",
    ]);
  });

  it("reports several syntax errors in one run", () => {
    const run = frontend(["model M {", "  input x: [2]", "  dense(3,,)", "  relu(", "  dense(4)", "}"]);
    expect(run.parseDiagnostics.length).toBeGreaterThanOrEqual(2);
    expect(run.parseDiagnostics.every((d) => d.code === "MG1001")).toBe(true);
  });
});
