import { describe, expect, it } from "vitest";
import { compileModelText } from "./graphs.js";

type Hints = Partial<Record<"a" | "b" | "c" | "d", string>>;

const model = (hints: Hints) => `
model Mlp {
  input x: [1024]
  dense(4096, activation: relu) ${hints.a ?? ""}
  dense(4096) ${hints.b ?? ""}
  softmax ${hints.c ?? ""}
  dense(10, activation: softmax) ${hints.d ?? ""}
}
train { batch: 128 }
`;

const compile = (hints: Hints, devices = 8) => compileModelText(model(hints), { devices, profile: "h100" });

const NAMES: Record<string, string> = { a: "dense", b: "dense_1", c: "softmax", d: "dense_2" };

const placement = (result: ReturnType<typeof compile>, name: string) =>
  result.plan!.layers.find((l) => l.name === NAMES[name])!.placement;

function at(result: ReturnType<typeof compile>, code: string): string {
  const d = result.diagnostics.find((x) => x.code === code)!;
  const { line, column } = result.source.position(d.span.start);
  return `${line}:${column} ${result.source.text.slice(d.span.start, d.span.end)}`;
}

describe("placement hints", () => {
  it("are obeyed, and auto without them is never slower", () => {
    const free = compile({});
    for (const hints of [
      { a: "@data", b: "@model" },
      { a: "@model", d: "@data" },
      { b: "@devices(2)" },
      { a: "@devices(4) @data", b: "@model @devices(8)" },
    ]) {
      const result = compile(hints);
      expect(result.diagnostics).toEqual([]);
      for (const [name, hint] of Object.entries(hints) as [string, string][]) {
        const p = placement(result, name);
        if (hint.includes("@data")) expect(p.modelDegree).toBe(1);
        if (hint.includes("@model")) expect(p.modelDegree).toBeGreaterThan(1);
        const group = /@devices\((\d+)\)/.exec(hint)?.[1];
        if (group) expect(p.dataDegree * p.modelDegree).toBe(Number(group));
      }
      expect(free.plan!.predicted.stepTimeMs).toBeLessThanOrEqual(result.plan!.predicted.stepTimeMs);
    }
  });

  it("@stage pins layers to pipeline stages", () => {
    const result = compile({ c: "@stage(1)", d: "@stage(1)" }, 4);
    expect(result.diagnostics).toEqual([]);
    expect(placement(result, "c").stage).toBe(1);
    expect(placement(result, "d").stage).toBe(1);
    expect(placement(result, "a").stage).toBe(0);
    expect(result.plan!.schedule.stages).toBeGreaterThanOrEqual(2);
    expect(result.plan!.schedule.transfers.some((t) => t.kind === "send-recv")).toBe(true);
  });

  it("that cannot be honoured are located errors", () => {
    expect(at(compile({ c: "@model" }), "MG3002")).toBe("6:11 @model");
    expect(at(compile({ b: "@devices(3)" }), "MG3004")).toBe("5:15 @devices(3)");
    expect(at(compile({ a: "@stage(9)" }), "MG3005")).toBe("4:33 @stage(9)");
    expect(compile({ a: "@model" }, 1).diagnostics.map((d) => d.code)).toEqual(["MG3003"]);
    expect(compile({ a: "@data @model" }).diagnostics.map((d) => d.code)).toEqual(["MG3007"]);
    expect(compile({ a: "@stage(1)", b: "@stage(0)" }, 4).diagnostics.map((d) => d.code)).toEqual(["MG3009"]);
    for (const hints of [{ c: "@model" }, { b: "@devices(3)" }]) expect(compile(hints).plan).toBeUndefined();
  });

  it("after a block call bind every layer inside, @model the ones that can be split", () => {
    const text = (hints: string) => `
block head(x, n: int) {
  dense(n) -> softmax
}
model Mlp {
  input x: [1024]
  dense(4096, activation: relu)
  head(_, 4096) ${hints}
  dense(10, activation: softmax)
}
train { batch: 128 }
`;
    const free = compileModelText(text("@model"), { devices: 8, profile: "h100" });
    expect(free.diagnostics).toEqual([]);
    const of = (r: typeof free, name: string) => r.plan!.layers.find((l) => l.name === name)!.placement;
    expect(of(free, "head/dense").modelDegree).toBeGreaterThan(1);
    const staged = compileModelText(text("@model @stage(1)"), { devices: 4, profile: "h100" });
    expect(staged.diagnostics).toEqual([]);
    expect(of(staged, "head/dense")).toMatchObject({ stage: 1, modelDegree: 2 });
    expect(of(staged, "head/softmax").stage).toBe(1);
    // The block's layers inherit one hint: one error for it, at the hint.
    const one = compileModelText(text("@model @stage(1)"), { devices: 2, profile: "h100" });
    expect(one.diagnostics.map((d) => d.code)).toEqual(["MG3013"]);
    expect(at(one, "MG3013")).toBe("8:24 @stage(1)");
  });

  it("@model after a block with nothing to split is one error at the hint", () => {
    const result = compileModelText(
      "block flat(x) { flatten -> softmax }\nmodel M {\n  input x: [4, 4]\n  flat @model\n}\n",
      { devices: 4 },
    );
    expect(result.diagnostics.map((d) => d.code)).toEqual(["MG3014"]);
    expect(at(result, "MG3014")).toBe("4:8 @model");
    expect(result.diagnostics[0]!.message).toContain("block call 'flat'");
  });

  it("are ignored, with a warning, under an explicit strategy", () => {
    const result = compileModelText(model({ a: "@model" }), { devices: 4, strategy: "data" });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["MG3006"]);
    expect(placement(result, "a").dataDegree).toBe(4);
  });
});
