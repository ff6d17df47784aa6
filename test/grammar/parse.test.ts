import { describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/index.js";
import { parse, type CallAst, type ModelDecl, type Statement, type ValueAst } from "../../grammar/index.js";

function ok(text: string) {
  const source = new SourceFile("t.model", text);
  const result = parse(source);
  expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return { ...result, source };
}

function errors(text: string): string[] {
  const source = new SourceFile("t.model", text);
  return parse(source).diagnostics.map((d) => {
    const p = source.position(d.span.start);
    return `${d.code} ${p.line}:${p.column}`;
  });
}

function body(text: string): readonly Statement[] {
  const decl = ok(text).ast.declarations.find((d): d is ModelDecl => d.kind === "model");
  return decl?.body ?? [];
}

function firstCall(text: string): CallAst {
  const s = body(`model M { ${text} }`)[0];
  const e = s?.kind === "chain" ? s.chain.elements[0] : undefined;
  if (e?.kind !== "call") throw new Error("no call parsed");
  return e;
}

function plain(v: ValueAst): unknown {
  switch (v.kind) {
    case "list":
      return v.items.map(plain);
    case "call":
      return { call: v.name, args: v.args.positional.map(plain) };
    case "underscore":
      return "_";
    case "name":
      return { name: v.name };
    default:
      return v.value;
  }
}

describe("parse", () => {
  it("accepts declarations in any order", () => {
    const { ast } = ok(
      "parallel { devices: 2 }\ntrain M { epochs: 1 }\nmodel M { input x: [1] }\nblock b(x) { relu }",
    );
    expect(ast.declarations.map((d) => d.kind)).toEqual(["parallel", "train", "model", "block"]);
  });

  it("reads inputs with shapes and dtypes", () => {
    const [a, b] = body("model M { input x: [28, 28, 1] input t: int32[128] }");
    expect(a).toMatchObject({
      kind: "input",
      name: { name: "x" },
      shape: [{ value: 28 }, { value: 28 }, { value: 1 }],
    });
    expect(a?.kind === "input" ? a.dtype : "not an input").toBeUndefined();
    expect(b).toMatchObject({ kind: "input", dtype: { name: "int32" }, shape: [{ value: 128 }] });
  });

  it("reads bindings, chains, _ and output", () => {
    const stmts = body("model M { input x: [2]\n h = _ -> dense(3) -> relu\n output h, _ }");
    expect(stmts.map((s) => s.kind)).toEqual(["input", "binding", "output"]);
    const binding = stmts[1];
    expect(
      binding?.kind === "binding" &&
        binding.chain.elements.map((e) => (e.kind === "call" ? e.name.name : "_")),
    ).toEqual(["_", "dense", "relu"]);
    const out = stmts[2];
    expect(out?.kind === "output" && out.refs.map((r) => r.kind)).toEqual(["name", "underscore"]);
  });

  it("reads positional then keyword arguments, and bare calls", () => {
    const call = firstCall("conv2d(32, kernel: [3, 3], activation: relu)");
    expect(call.args?.positional.map(plain)).toEqual([32]);
    expect(call.args?.keyword.map((k) => [k.name.name, plain(k.value)])).toEqual([
      ["kernel", [3, 3]],
      ["activation", { name: "relu" }],
    ]);
    expect(firstCall("flatten").args).toBeUndefined();
    expect(firstCall("f()").args?.positional).toEqual([]);
  });

  it("reads signed numbers, nested lists, strings, booleans and calls as values", () => {
    const call = firstCall(
      'f(-1, 1e-3, 1.001e-5, 64, [[1, 1], [2, 2]], "a\\"b\\n\\u0041", true, false, adam(0.1))',
    );
    expect(call.args?.positional.map(plain)).toEqual([
      -1,
      0.001,
      1.001e-5,
      64,
      [
        [1, 1],
        [2, 2],
      ],
      'a"b\nA',
      true,
      false,
      { call: "adam", args: [0.1] },
    ]);
    const ints = call.args?.positional.map((v) => (v.kind === "number" ? v.isInteger : null));
    expect(ints?.slice(0, 4)).toEqual([true, false, false, true]);
  });

  it("skips comments and takes optional semicolons", () => {
    const stmts = body("model M { // line\n input x: [2]; /* block\n comment */ relu;; tanh }");
    expect(stmts.map((s) => s.kind)).toEqual(["input", "chain", "chain"]);
  });

  it("reads combinable placement hints", () => {
    const call = firstCall("dense(4096) @model @stage(1) @devices(4) @data");
    expect(call.hints.map((h) => [h.name.name, h.value?.value])).toEqual([
      ["model", undefined],
      ["stage", 1],
      ["devices", 4],
      ["data", undefined],
    ]);
  });

  it("reads blocks with typed and default parameters, and repeat", () => {
    const { ast } = ok(
      "block residual(x, filters: int, stride: int = 1) { add(_, x) }\nmodel M { input x: [1] repeat 3 { residual(_, 16) } }",
    );
    const block = ast.declarations[0];
    expect(
      block?.kind === "block" && block.params.map((p) => [p.name.name, p.type?.name, p.default?.kind]),
    ).toEqual([
      ["x", undefined, undefined],
      ["filters", "int", undefined],
      ["stride", "int", "number"],
    ]);
    const model = ast.declarations[1];
    const rep = model?.kind === "model" ? model.body[1] : undefined;
    expect(rep).toMatchObject({ kind: "repeat", count: { value: 3 } });
  });

  it("reads train and parallel sections with and without a model name", () => {
    const { ast } = ok(
      "train Mnist { data: mnist optimizer: adam(lr: 0.001) metrics: [accuracy] }\nparallel { strategy: model; devices: all }",
    );
    const [train, par] = ast.declarations;
    expect(train).toMatchObject({ kind: "train", model: { name: "Mnist" } });
    expect(train?.kind === "train" && train.entries.map((e) => e.key.name)).toEqual([
      "data",
      "optimizer",
      "metrics",
    ]);
    expect(par?.kind === "parallel" && par.model).toBeUndefined();
    expect(par?.kind === "parallel" && par.entries.map((e) => plain(e.value))).toEqual([
      { name: "model" },
      { name: "all" },
    ]);
  });

  it("treats declaration keywords as names outside declarations", () => {
    const call = firstCall("f(model: block, input: repeat) @model");
    expect(call.args?.keyword.map((k) => [k.name.name, plain(k.value)])).toEqual([
      ["model", { name: "block" }],
      ["input", { name: "repeat" }],
    ]);
    expect(call.hints[0]?.name.name).toBe("model");
  });

  it("reserves true, false and _ everywhere", () => {
    expect(errors("model M { input x: [1] true = relu }")[0]).toBe("MG1001 1:24");
    expect(errors("model _ { input x: [1] }")[0]).toBe("MG1001 1:7");
  });

  it("gives every node a span over its own text", () => {
    const { ast, source } = ok("model M {\n  input x: [2]\n  dense(3, activation: relu) @model\n}");
    const model = ast.declarations[0];
    const s = model?.kind === "model" ? model.body[1] : undefined;
    const call = s?.kind === "chain" ? s.chain.elements[0] : undefined;
    const text = (span: { start: number; end: number }) => source.text.slice(span.start, span.end);
    expect(call?.kind === "call" && text(call.span)).toBe("dense(3, activation: relu)");
    expect(call?.kind === "call" && text(call.hints[0]!.span)).toBe("@model");
    expect(call?.kind === "call" && text(call.args!.keyword[0]!.value.span)).toBe("relu");
    expect(model && text(model.span)).toBe(source.text);
  });

  it("turns deep nesting into a diagnostic, not a stack overflow", () => {
    expect(errors(`model M { input x: [1] f(${"[".repeat(100_000)} }`)).toEqual(["MG1002 1:124"]);
    expect(errors(`model M { ${"repeat 2 { ".repeat(5000)} }`)[0]).toMatch(/^MG1002/);
  });

  it("reuses one parser: a parse after a broken file is unaffected", () => {
    errors("model { ( [ ");
    ok("model M { input x: [1] }");
  });
});
