import { describe, expect, it } from "vitest";
import { checkPlanMeaning } from "../../compiler/plan/plan-meaning.js";
import { compileModelText } from "./graphs.js";

/** LANGUAGE.md's hint example, `dense(4096) @model @stage(1)`, in an MLP; `hints` replaces it. */
const spec = (hints = "@model @stage(1)") => `
model Mlp {
  input x: [1024]
  dense(4096, activation: relu)
  dense(4096) ${hints}
  dense(10, activation: softmax)
}
train { batch: 64 }
`;

type Result = ReturnType<typeof compileModelText>;

const layer = (r: Result, name: string) => r.plan!.layers.find((l) => l.name === name)!.placement;

/** The only diagnostic, as `CODE line:column text-under-the-caret`. */
function only(r: Result): string {
  expect(r.diagnostics).toHaveLength(1);
  const d = r.diagnostics[0]!;
  const { line, column } = r.source.position(d.span.start);
  return `${d.code} ${line}:${column} ${r.source.text.slice(d.span.start, d.span.end)}`;
}

function compiles(text: string, devices: number): Result {
  const r = compileModelText(text, { devices });
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect(checkPlanMeaning(r.plan!)).toEqual([]);
  return r;
}

describe("@stage with @model or @devices: a pipeline whose stages split layers", () => {
  it("LANGUAGE.md's example on 4 devices: 2 stages of 2, dense(4096) model-split in stage 1", () => {
    const r = compiles(spec(), 4);
    const hinted = layer(r, "dense_1");
    expect(hinted).toMatchObject({ stage: 1, dataDegree: 1, modelDegree: 2, devices: [2, 3] });
    // Unhinted layers take whichever split of their stage's 2 devices the search prefers.
    expect(layer(r, "dense")).toMatchObject({ stage: 0, devices: [0, 1] });
    expect(layer(r, "dense_2").stage).toBe(1);
    expect(r.plan!.schedule.stages).toBe(2);
    expect(r.plan!.schedule.segments.some((s) => s.stage === 1 && s.modelDegree === 2)).toBe(true);
  });

  it("LANGUAGE.md's example on 8 devices splits it over its stage", () => {
    const r = compiles(spec(), 8);
    const hinted = layer(r, "dense_1");
    expect(hinted.stage).toBe(1);
    expect(hinted.modelDegree).toBeGreaterThan(1);
    expect(hinted.dataDegree * hinted.modelDegree).toBe(hinted.devices.length);
  });

  it("LANGUAGE.md's example on 2 or 3 devices: an error at @stage(1) naming the hints, not memory", () => {
    for (const devices of [2, 3]) {
      const r = compileModelText(spec(), { devices });
      expect(only(r)).toBe("MG3013 5:22 @stage(1)");
      const d = r.diagnostics[0]!;
      expect(d.message).toContain(`cannot be honoured on ${devices} devices`);
      expect(d.message).toContain("@model on 'dense_1' needs stages of at least 2 devices");
      expect(d.message).not.toMatch(/memory|fit/);
      expect(d.hint).toBe(
        "it needs at least 4 devices: 2 stages of 2, model degree 2 for @model on 'dense_1' (--devices 4); " +
          "or drop @stage(1) or @model",
      );
      expect(r.plan).toBeUndefined();
    }
  });

  it("@devices(N) @stage(S) makes stages of N devices, and asks for (S + 1) · N devices when there are fewer", () => {
    const r = compiles(spec("@devices(2) @stage(1)"), 4);
    expect(layer(r, "dense_1")).toMatchObject({ stage: 1, devices: [2, 3] });
    const few = compileModelText(spec("@devices(4) @stage(1)"), { devices: 4 });
    expect(only(few)).toBe("MG3013 5:27 @stage(1)");
    expect(few.diagnostics[0]!.hint).toMatch(/^it needs at least 8 devices: 2 stages of 4 \(--devices 8\)/);
  });

  it("more devices than stages of N can be filled after the last pin: the count that fits", () => {
    const r = compileModelText(spec("").replace("softmax)", "softmax) @devices(2) @stage(1)"), {
      devices: 8,
    });
    expect(only(r)).toBe("MG3013 6:46 @stage(1)");
    expect(r.diagnostics[0]!.message).toContain("8 devices make 4 stages");
    expect(r.diagnostics[0]!.hint).toMatch(/^it fits on 4 devices: 2 stages of 2 \(--devices 4\)/);
  });

  it("@data @stage(1) on 2 devices: 2 stages of one device", () => {
    const r = compiles(spec("@data @stage(1)"), 2);
    expect(layer(r, "dense_1")).toMatchObject({ stage: 1, dataDegree: 1, modelDegree: 1, devices: [1] });
  });

  it("two stage sizes at once contradict each other, at the second hint", () => {
    const text = spec("@devices(4) @stage(1)").replace("relu)", "relu) @devices(2)");
    const r = compileModelText(text, { devices: 8 });
    expect(only(r)).toBe("MG3015 5:15 @devices(4)");
    expect(r.diagnostics[0]!.message).toContain("contradicts @devices(2) on 'dense'");
    const one = compileModelText(spec("@model @stage(1)").replace("relu)", "relu) @devices(1)"), {
      devices: 4,
    });
    expect(only(one)).toBe("MG3015 5:15 @model");
  });

  it("a pin without a layer for each stage before it is an error at that pin, whatever the devices", () => {
    const r = compileModelText(spec("").replace("relu)", "relu) @stage(2)"), { devices: 8 });
    expect(only(r)).toBe("MG3016 4:33 @stage(2)");
    expect(r.diagnostics[0]!.message).toContain("stages 0 to 1 need a layer each before it");
    expect(r.diagnostics[0]!.hint).toBe("pin it to stage 1 at most, or pin a later layer");
    const between = compileModelText(spec("@stage(1)").replace("softmax)", "softmax) @stage(3)"), {
      devices: 8,
    });
    expect(only(between)).toBe("MG3016 6:34 @stage(3)");
    expect(between.diagnostics[0]!.message).toContain("stage 2 needs a layer between 'dense_1' (stage 1)");
  });

  it("without @stage, @model keeps today's plans without stages", () => {
    const r = compiles(spec("@model"), 4);
    expect(r.plan!.schedule.stages).toBe(1);
    expect(layer(r, "dense_1").modelDegree).toBeGreaterThan(1);
  });
});
