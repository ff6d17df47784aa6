import { describe, expect, it } from "vitest";
import { dumpStage } from "../../cli/dump.js";
import { compileSource, PASS_NAMES, readSource } from "../../compiler/pipeline.js";
import { REPO } from "../support/run-cli.js";

/** `--dump-after PASS` shows each pass's own output (issue 14); before, the three placement passes all dumped the plan. */
describe("--dump-after every pass", () => {
  const source = readSource(`${REPO}/examples/cnn.model`);
  const dumps = PASS_NAMES.map((pass) => {
    const result = compileSource(source, { stopAfter: pass, devices: 2 });
    expect(result.diagnostics).toEqual([]);
    return { pass, reached: result.reached, text: dumpStage(result) };
  });

  it("stops where asked and dumps something different after each pass", () => {
    expect(dumps.map((d) => d.reached)).toEqual([...PASS_NAMES]);
    // parse dumps nothing of its own (the AST stays inside the front end), and check-data only checks the
    // graph infer-shapes made; every other pass's output differs from all the others.
    const own = dumps.filter((d) => d.pass !== "parse" && d.pass !== "check-data");
    expect(new Set(own.map((d) => d.text)).size).toBe(own.length);
  });

  it("estimate-cost: every layer under every configuration; place-layers: one configuration per layer", () => {
    const costs = dumps.find((d) => d.pass === "estimate-cost")!.text;
    expect(costs).toMatch(/^costs Cnn: 2 device\(s\)/);
    expect(costs).toMatch(/conv2d \(conv2d\)\n\s+data×2\s+compute=/);
    expect(costs).toContain("model×2");
    const placement = dumps.find((d) => d.pass === "place-layers")!.text;
    expect(placement).toMatch(/^placement Cnn: auto on 2 device\(s\)/);
    expect(placement.trim().split("\n").length).toBe(
      1 + compileSource(source, { stopAfter: "infer-shapes" }).graph!.nodes.length,
    );
    expect(dumps.at(-1)!.text).toContain('"format": "mgpuc-plan"');
  });
});
