import { describe, expect, it } from "vitest";
import { explainText } from "../../compiler/emit/explain.js";
import { compileExampleFile } from "./graphs.js";

describe("Krizhevsky's one weird trick comes out of the search", () => {
  const result = compileExampleFile("vgg16", { devices: 8, profile: "h100" });
  const plan = result.plan!;
  const layer = (name: string) => plan.layers.find((l) => l.name === name)!;

  it("puts the early convolutions data-parallel and the 4096-unit dense layers model-parallel", () => {
    for (const name of ["block1_conv1", "block1_conv2", "block2_conv1", "block3_conv1"]) {
      expect(layer(name).placement).toMatchObject({ kind: "data", dataDegree: 8, modelDegree: 1 });
    }
    for (const name of ["fc1", "fc2"]) expect(layer(name).placement.modelDegree).toBeGreaterThan(1);
    expect(plan.predicted.stepTimeMs).toBeLessThan(plan.predicted.baselines.data!);
  });

  it("says why in bytes: gradients to all-reduce against activations to gather", () => {
    const text = explainText(plan);
    const fc1 = text.split("\n").find((line) => line.startsWith("fc1 "))!;
    expect(fc1).toMatch(/MB of gradients to all-reduce/);
    expect(fc1).toMatch(/of activations to gather/);
    const conv = text.split("\n").find((line) => line.startsWith("block1_conv1 "))!;
    expect(conv).toMatch(/data×8/);
    expect(text).toMatch(/^VGG16 on 8 × h100, strategy auto, global batch 256$/m);
    expect(text).toMatch(/^predicted step .* \(all data .* · all model .* · best pipeline .*\)$/m);
  });

  it("schedules a gather between the data-parallel and the model-parallel segments", () => {
    const s = plan.schedule;
    expect(s.segments.length).toBeGreaterThan(1);
    const fc1Segment = s.segments.find((seg) => seg.layers.includes("fc1"))!;
    expect(s.transfers.some((t) => t.to === "fc1" || t.toSegment === fc1Segment.id)).toBe(true);
    expect(s.gradientBuckets.some((b) => b.layers.includes("block1_conv1"))).toBe(true);
    expect(s.gradientBuckets.every((b) => !b.layers.includes("fc1") || fc1Segment.dataDegree > 1)).toBe(true);
    expect(s.programs).toHaveLength(8);
    expect(s.programs[0]!.steps.at(-1)).toEqual({ op: "apply" });
  });
});
