import { describe, expect, it } from "vitest";
import { emitPlan } from "../../compiler/emit/plan.js";
import { isPlanLoadError, loadPlan } from "../../compiler/plan/load-plan.js";
import { checkPlanMeaning, formatPlanProblem } from "../../compiler/plan/plan-meaning.js";
import type { Plan } from "../../compiler/plan/plan-types.js";
import { compileExampleFile } from "./graphs.js";

/** The fields these tests edit, writable. */
interface EditablePlan {
  devices: { count: number };
  graph: { outputs: string[] };
  schedule: { stages: number };
  layers: {
    op: string;
    inputs: string[];
    placement: { devices: number[]; dataDegree: number; modelDegree: number; stage: number };
  }[];
}

/** A deep copy of a compiled plan to edit by hand, as a user would edit the JSON. */
function edit(plan: Plan): EditablePlan {
  return JSON.parse(JSON.stringify(plan)) as EditablePlan;
}

const problems = (plan: Plan | EditablePlan) =>
  checkPlanMeaning(plan as unknown as Plan).map(formatPlanProblem);

const modelPlan = compileExampleFile("mnist", { devices: 2, strategy: "model" }).plan!;
const pipelinePlan = compileExampleFile("cnn", { devices: 4, strategy: "pipeline" }).plan!;

describe("checkPlanMeaning: what the schema cannot say", () => {
  it("every plan the compiler writes makes sense", () => {
    let checked = 0;
    for (const name of ["mnist", "cnn", "residual"] as const) {
      for (const devices of [1, 2, 3, 4, 8]) {
        for (const strategy of ["auto", "data", "model", "pipeline"] as const) {
          const plan = compileExampleFile(name, { devices, strategy }).plan;
          if (plan === undefined) continue;
          expect(problems(plan), `${name} ${strategy} on ${devices}`).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("a device index past devices.count names the field and the devices there are", () => {
    const plan = edit(modelPlan);
    plan.layers[2]!.placement.devices[1] = 5;
    expect(problems(plan)).toContain(
      "layers[2].placement.devices[1]: device 5 does not exist: devices.count is 2 (devices 0–1)",
    );
  });

  it("a model degree that does not divide the layer's devices", () => {
    const plan = edit(modelPlan);
    plan.layers[3]!.placement.modelDegree = 3;
    expect(problems(plan)).toEqual([
      "layers[3].placement.modelDegree: 3 does not divide the 2 device(s) of stage 0 it is placed on",
    ]);
  });

  it("degrees whose product is not the number of devices listed", () => {
    const plan = edit(modelPlan);
    plan.layers[2]!.placement.devices = [0];
    expect(problems(plan)).toContain(
      "layers[2].placement.modelDegree: 2 does not divide the 1 device(s) of stage 0 it is placed on",
    );
    const hybrid = edit(compileExampleFile("mnist", { devices: 4, strategy: "data" }).plan!);
    hybrid.layers[2]!.placement.dataDegree = 2;
    hybrid.layers[2]!.placement.modelDegree = 1;
    expect(problems(hybrid)).toEqual([
      "layers[2].placement.devices lists 4 device(s), but dataDegree 2 × modelDegree 1 = 2",
    ]);
  });

  it("a stage number with a gap before it", () => {
    const plan = edit(modelPlan);
    plan.layers[4]!.placement.stage = 7;
    expect(problems(plan)).toContain(
      "layers[4].placement.stage: 7, but no layer is on stages 1–6; stages are numbered 0, 1, 2… without gaps",
    );
  });

  it("devices.count 1 under model×2 layers", () => {
    const plan = edit(modelPlan);
    plan.devices.count = 1;
    const found = problems(plan);
    expect(found).toContain(
      "layers[0].placement.devices[1]: device 1 does not exist: devices.count is 1 (device 0)",
    );
    expect(found).toContain("predicted.memoryPerDeviceBytes has 2 entries, but devices.count is 1");
  });

  it("a device shared by two stages, a stage before its input's, and stage counts that disagree", () => {
    const plan = edit(pipelinePlan);
    const last = plan.layers.length - 1;
    const stageOne = plan.layers.findIndex((l) => l.placement.stage === 1);
    plan.layers[stageOne]!.placement.devices = [...plan.layers[0]!.placement.devices];
    const found = problems(plan);
    expect(found.some((p) => /^layers\[\d+\]\.placement\.devices\[0\]: device 0 runs stage 0/.test(p))).toBe(
      true,
    );
    const backwards = edit(pipelinePlan);
    backwards.layers[last]!.placement = { ...backwards.layers[0]!.placement };
    expect(
      problems(backwards).some((p) => p.startsWith(`layers[${last}].placement.stage: 0 comes before`)),
    ).toBe(true);
    const counts = edit(pipelinePlan);
    counts.schedule.stages = 5;
    expect(problems(counts)).toEqual([
      `schedule.stages: 5, but the layers use ${pipelinePlan.schedule.stages} stage(s)`,
    ]);
  });

  it("inputs, graph outputs and ops that are not layers", () => {
    const plan = edit(modelPlan);
    plan.layers[2]!.inputs = ["flaten"];
    plan.layers[3]!.op = "dense2";
    plan.graph.outputs = ["nope"];
    expect(problems(plan)).toEqual([
      "layers[2].inputs[0]: 'flaten' is not a layer of the plan",
      "layers[3].op: 'dense2' is not a layer mgpuc knows (LANGUAGE.md lists them)",
      "graph.outputs[0]: 'nope' is not a layer of the plan",
    ]);
  });

  it("loadPlan refuses such a plan with one line per problem", () => {
    const plan = edit(modelPlan);
    plan.layers[2]!.placement.devices[1] = 5;
    plan.layers[3]!.placement.modelDegree = 3;
    const loaded = loadPlan(emitPlan(plan as unknown as Plan));
    expect(isPlanLoadError(loaded)).toBe(true);
    if (!isPlanLoadError(loaded)) return;
    expect(loaded.problems).toEqual([
      "layers[2].placement.devices[1]: device 5 does not exist: devices.count is 2 (devices 0–1)",
      "layers[3].placement.modelDegree: 3 does not divide the 2 device(s) of stage 0 it is placed on",
    ]);
    expect(loaded.error).toMatch(/^invalid plan: layers\[2\]/);
  });
});
