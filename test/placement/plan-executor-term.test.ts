import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import { SourceFile } from "../../compiler/diagnostics/index.js";
import { compileSource } from "../../compiler/pipeline.js";
import { needsPlanExecutor } from "../../runtime/plan-exec/needs-plan-executor.js";

const REPO = new URL("../..", import.meta.url).pathname;
const shipped = JSON.parse(readFileSync(`${REPO}/profiles/cpu.json`, "utf8")) as DeviceProfile;

function compile(file: string, strategy: "auto" | "data" | "model" | "pipeline", term: number) {
  const text = readFileSync(`${REPO}/examples/${file}.model`, "utf8");
  const result = compileSource(new SourceFile(`${file}.model`, text), {
    strategy,
    devices: 2,
    profile: { ...shipped, planExecutorLayerOverheadSeconds: term },
  });
  expect(result.plan, `${file} ${strategy}`).toBeDefined();
  return result.plan!;
}

describe("the plan executor's per-layer term (planExecutorLayerOverheadSeconds)", () => {
  // The compiler charges it by its own rule; the runtime decides by needsPlanExecutor: they must agree.
  for (const file of ["mnist", "cnn", "residual"])
    for (const strategy of ["data", "model", "pipeline"] as const) {
      it(`${file}, ${strategy}: charged exactly when the runtime runs the plan on the executor`, () => {
        const without = compile(file, strategy, 0);
        const withTerm = compile(file, strategy, 1e-3);
        const layers = without.layers.filter((l) => l.op !== "input").length;
        const added = withTerm.predicted.stepTimeMs - without.predicted.stepTimeMs;
        // The plan keeps predictions to 6 significant digits.
        expect(added).toBeCloseTo(needsPlanExecutor(without) ? layers * 1 : 0, 3);
      });
    }

  it("decides auto between a split plan and all data, and the reasons say so", () => {
    // Free, the CNN's large dense layer is split (model×2); at 3 ms a layer the all-data plan wins.
    const free = compile("cnn", "auto", 0);
    expect(needsPlanExecutor(free)).toBe(true);
    const costly = compile("cnn", "auto", 3e-3);
    expect(needsPlanExecutor(costly)).toBe(false);
    // Runner-ups are priced with the executor they would bring: none is cheaper than the chosen plan.
    for (const layer of costly.layers)
      expect(layer.runnerUp?.extraMs ?? 0, layer.name).toBeGreaterThanOrEqual(0);
    const split = costly.layers.filter((l) => l.runnerUp?.config.startsWith("model"));
    expect(split.length).toBeGreaterThan(0);
    for (const layer of split) expect(layer.reason).toContain("would run the plan on the plan executor");
  });
});
