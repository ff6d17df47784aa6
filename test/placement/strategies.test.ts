import { describe, expect, it } from "vitest";
import { validatePlanObject } from "../../compiler/plan/load-plan.js";
import type { Plan } from "../../compiler/plan/plan-types.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import { loadProfile } from "../../compiler/cost/profiles.js";
import { estimateCost } from "../../compiler/passes/estimate-cost.js";
import { placeLayers } from "../../compiler/passes/place-layers.js";
import { solveDag } from "../../compiler/placement/frontier-dp.js";
import { layersProblem } from "../../compiler/placement/layers-problem.js";
import { solveWithinMemory } from "../../compiler/placement/memory-search.js";
import { compileExampleFile, context, denseLayer, EXAMPLES, handGraph, type LayerSpec } from "./graphs.js";

/** The checks of shared/checks/plan-core.js that a schema cannot say: kind agrees with the degrees. */
function kindProblems(plan: Plan): string[] {
  return plan.layers.flatMap((l) => {
    const p = l.placement;
    const kind = p.modelDegree === 1 ? "data" : p.dataDegree === 1 ? "model" : "hybrid";
    return p.kind === kind ? [] : [`${l.name}: ${p.kind} vs ${kind}`];
  });
}

// The big examples at fewer device counts keep this file to a few seconds.
const DEVICE_COUNTS: Record<string, readonly number[]> = {
  mnist: [1, 2, 3, 4, 5, 8, 16, 64],
  cnn: [1, 2, 4, 6, 8, 32, 64],
  residual: [1, 2, 4, 8, 16],
  vgg16: [1, 2, 8, 64],
  resnet50: [1, 8],
};

describe("auto is never worse than a pure strategy, and every plan is valid", () => {
  for (const example of EXAMPLES) {
    it(example, () => {
      for (const devices of DEVICE_COUNTS[example]!) {
        const result = compileExampleFile(example, { devices });
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const plan = result.plan!;
        expect(validatePlanObject(plan), JSON.stringify(validatePlanObject.errors)).toBe(true);
        expect(kindProblems(plan)).toEqual([]);
        expect(plan.devices.count).toBe(devices);
        expect(plan.layers.map((l) => l.name)).toEqual(result.graph!.nodes.map((n) => n.name));
        const { data, model, pipeline } = plan.predicted.baselines;
        for (const baseline of [data, model, pipeline]) {
          if (baseline !== null) expect(plan.predicted.stepTimeMs).toBeLessThanOrEqual(baseline * (1 + 1e-9));
        }
        for (const mem of plan.predicted.memoryPerDeviceBytes)
          expect(mem).toBeLessThanOrEqual(plan.devices.memoryBytes);
      }
    });
  }

  it("each pure strategy reproduces its own baseline", () => {
    for (const strategy of ["data", "model", "pipeline"] as const) {
      const plan = compileExampleFile("cnn", { devices: 4, strategy }).plan!;
      expect(plan.strategy).toBe(strategy);
      expect(plan.predicted.stepTimeMs).toBe(plan.predicted.baselines[strategy]);
      if (strategy === "data") expect(plan.layers.every((l) => l.placement.dataDegree === 4)).toBe(true);
      if (strategy === "pipeline")
        expect(new Set(plan.layers.map((l) => l.placement.stage)).size).toBeGreaterThan(1);
    }
  });
});

describe("a frontier too wide for the exact table", () => {
  it("still gets a plan no worse than data parallel", () => {
    // Eight branches live at once on 64 devices: 28^8 states would not fit, so the search narrows its choices.
    const layers: LayerSpec[] = [{ op: "input", inputs: [], width: 512 }];
    for (let b = 0; b < 8; b++) layers.push(denseLayer([0], 512, 512));
    layers.push({ op: "add", inputs: [1, 2, 3, 4, 5, 6, 7, 8], width: 512, flops: 4096 });
    const graph = handGraph(layers);
    const ctx = context();
    const placement = placeLayers(
      graph,
      {
        devices: 64,
        strategy: "auto",
        profile: loadProfile("h100", ".") as DeviceProfile,
        batch: 256,
        optimizerSlots: 2,
      },
      ctx,
    )!;
    expect(ctx.diagnostics.items).toEqual([]);
    expect(placement.stepTime).toBeLessThanOrEqual(placement.baselines.data!);
    const table = estimateCost(graph, loadProfile("h100", ".") as DeviceProfile, 64, 256, 2);
    const all = graph.nodes.map(() => table.configs.map((_, k) => k));
    expect(solveDag(layersProblem(graph, table, all))).toBeUndefined();
    expect(solveWithinMemory(graph, table, all, 80e9)).toHaveLength(graph.nodes.length);
  });
});
