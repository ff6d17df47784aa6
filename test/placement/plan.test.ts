import { describe, expect, it } from "vitest";
import { emitDot } from "../../compiler/emit/dot.js";
import { explainJson, explainText } from "../../compiler/emit/explain.js";
import { emitPlan } from "../../compiler/emit/plan.js";
import { isPlanLoadError, loadPlan } from "../../compiler/plan/load-plan.js";
import { compileExampleFile, compileModelText } from "./graphs.js";

const plan = compileExampleFile("residual", { devices: 4 }).plan!;
const text = emitPlan(plan);

describe("emitPlan and loadPlan", () => {
  it("writes the same bytes every run, 2-space indented with a trailing newline", () => {
    expect(emitPlan(compileExampleFile("residual", { devices: 4 }).plan!)).toBe(text);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toBe('  "format": "mgpuc-plan",');
    expect(Object.keys(JSON.parse(text) as object).slice(0, 5)).toEqual([
      "format",
      "version",
      "model",
      "strategy",
      "devices",
    ]);
  });

  it("round-trips: what it writes, it loads", () => {
    const loaded = loadPlan(text);
    expect(isPlanLoadError(loaded)).toBe(false);
    expect(emitPlan(loaded as typeof plan)).toBe(text);
  });

  it("carries what the runtime needs to rebuild the model", () => {
    const add = plan.layers.find((l) => l.op === "add")!;
    expect(add.inputs).toHaveLength(2);
    expect(plan.graph.inputs).toEqual(["image"]);
    expect(plan.layers.find((l) => l.op === "conv2d")!.attrs).toHaveProperty("filters");
  });

  it("rejects truncated, foreign, newer and inconsistent plans with a clear message", () => {
    const error = (t: string) => {
      const r = loadPlan(t);
      return isPlanLoadError(r) ? r.error : "loaded";
    };
    // Cut anywhere (inside a string, after a comma, between keys), a plan reads as truncated.
    for (let cut = 1; cut < text.length - 2; cut += Math.max(1, Math.floor(text.length / 97))) {
      expect(error(text.slice(0, cut)), `cut at ${cut}`).toMatch(/not complete JSON \(truncated file\?\)/);
    }
    expect(error(`${text.trimEnd().slice(0, -1)}]`)).toMatch(/not valid JSON/);
    expect(error("")).toMatch(/truncated/);
    expect(error("[1, 2]")).toMatch(/must be a JSON object/);
    expect(error('{"format": "other"}')).toMatch(/not an mgpuc plan/);
    expect(error(text.replace('"version": 2', '"version": 3'))).toMatch(
      /version 3, newer than this mgpuc reads \(2\)/,
    );
    // A version 1 plan (no split, no collectives) still loads.
    expect(error(text.replace('"version": 2', '"version": 1'))).toBe("loaded");
    expect(error(text.replace('"strategy": "auto"', '"strategy": "fastest"'))).toMatch(
      /plan\.strategy must be equal to one of/,
    );
    const wrongKind = JSON.parse(text) as { layers: { placement: { kind: string } }[] };
    wrongKind.layers[1]!.placement.kind = "model";
    expect(error(JSON.stringify(wrongKind))).toMatch(/placement\.kind is "model" but the degrees say "data"/);
    const missing = JSON.parse(text) as Record<string, unknown>;
    delete missing.predicted;
    expect(error(JSON.stringify(missing))).toMatch(/must have required property 'predicted'/);
  });
});

describe("explain and dot", () => {
  it("explain lists every layer with its config, times, memory, runner-up and why", () => {
    const out = explainText(plan);
    const lines = out.split("\n");
    expect(lines[0]).toBe("TinyResNet on 4 × cpu, strategy auto, global batch 32");
    // An all-data plan says how its optimizer state is held, before the table.
    expect(plan.layers.every((l) => l.placement.kind === "data")).toBe(true);
    expect(lines[2]).toMatch(/^optimizer: (ZeRO-1, state and update split 1\/4|replicated on every device)/);
    expect(lines[4]).toMatch(/^layer +config +compute +comm +mem\/device +runner-up +why$/);
    for (const layer of plan.layers) expect(out).toMatch(new RegExp(`^${layer.name} `, "m"));
    const json = explainJson(plan);
    expect(json.layers).toHaveLength(plan.layers.length);
    expect(json.layers[1]!.why).toBe(plan.layers[1]!.reason);
  });

  it("dot colours nodes by kind and draws one cluster per stage", () => {
    const pipelined = compileExampleFile("cnn", { devices: 4, strategy: "pipeline" }).plan!;
    const dot = emitDot(pipelined);
    expect(emitDot(pipelined)).toBe(dot);
    const stages = new Set(pipelined.layers.map((l) => l.placement.stage));
    expect(dot.match(/subgraph cluster_stage\d+/g)).toHaveLength(stages.size);
    expect(dot).toMatch(/fillcolor="#a6cee3"/);
    const edges = pipelined.layers.reduce((n, l) => n + l.inputs.length, 0);
    expect(dot.match(/ -> /g)).toHaveLength(edges);
  });

  const orderOf = (steps: readonly { op: string; microbatch?: number }[]) =>
    steps.flatMap((s) => (s.microbatch !== undefined ? [`${s.op[0]}${s.microbatch}`] : []));

  it("a pipelined schedule under GPipe: all forwards, then backwards in reverse micro-batch order", () => {
    const pipelined = compileExampleFile("cnn", {
      devices: 4,
      strategy: "pipeline",
      microbatches: 3,
      microbatchOrder: "gpipe",
    }).plan!;
    expect(pipelined.schedule.microbatchOrder).toBe("gpipe");
    expect(orderOf(pipelined.schedule.programs[0]!.steps)).toEqual(["f0", "f1", "f2", "b2", "b1", "b0"]);
    // The last stage runs each micro-batch's backward right after its forward.
    const lastStage = pipelined.schedule.programs.find((p) => p.stage === pipelined.schedule.stages - 1)!;
    expect(orderOf(lastStage.steps)).toEqual(["f0", "b0", "f1", "b1", "f2", "b2"]);
  });

  it("a pipelined schedule defaults to 1F1B: K − 1 − s warm-up forwards, then a forward and a backward in turn", () => {
    const pipelined = compileExampleFile("cnn", { devices: 3, strategy: "pipeline", microbatches: 5 }).plan!;
    expect(pipelined.schedule.microbatchOrder).toBe("1f1b");
    const [first, middle, last] = pipelined.schedule.programs.map((p) => orderOf(p.steps));
    expect(first).toEqual(["f0", "f1", "f2", "b0", "f3", "b1", "f4", "b2", "b3", "b4"]);
    expect(middle).toEqual(["f0", "f1", "b0", "f2", "b1", "f3", "b2", "f4", "b3", "b4"]);
    expect(last).toEqual(["f0", "b0", "f1", "b1", "f2", "b2", "f3", "b3", "f4", "b4"]);
    // One device per stage: nothing to all-reduce, and each program ends by applying its gradients.
    for (const program of pipelined.schedule.programs) {
      expect(program.steps.filter((s) => s.op === "all-reduce")).toEqual([]);
      expect(program.steps.at(-1)).toEqual({ op: "apply" });
    }
  });

  it("each stage of data-parallel devices all-reduces every gradient of its layers among its own devices", () => {
    // Two stages of two devices each, pinned by hints so the fixture does not depend on the cost model.
    const hinted = compileModelText(
      `model Mlp {
        input x: [64]
        dense(64, activation: relu) @stage(0) @devices(2)
        dropout(0.1) @stage(0) @devices(2)
        dense(64, activation: relu) @stage(0) @devices(2)
        dense(32, activation: relu) @stage(1) @devices(2)
        dense(10, activation: softmax) @stage(1) @devices(2)
      }
      train { batch: 32 }`,
      { devices: 4, profile: "cpu" },
    );
    expect(hinted.diagnostics).toEqual([]);
    const pipelined = hinted.plan!;
    const { schedule } = pipelined;
    expect(schedule.stages).toBe(2);
    // What the placement says, independently of the schedule: each device's layers with trainable parameters
    // and a data degree above 1, each to be reduced among the devices holding the same shard.
    const expected = (device: number) =>
      pipelined.layers
        .filter(
          (l) => l.trainableParams > 0 && l.placement.dataDegree > 1 && l.placement.devices.includes(device),
        )
        .map((l) => {
          const { devices, modelDegree } = l.placement;
          const shard = devices.indexOf(device) % modelDegree;
          return { layer: l.name, group: devices.filter((_, p) => p % modelDegree === shard) };
        })
        .sort((a, b) => a.layer.localeCompare(b.layer));
    for (const program of schedule.programs) {
      const want = expected(program.device);
      // The subject occurs: every device of both stages has gradients to all-reduce with a peer.
      expect(want.length, `device ${program.device}`).toBeGreaterThanOrEqual(2);
      expect(want.every((w) => w.group.length === 2)).toBe(true);
      const steps = program.steps;
      const reduced = steps.flatMap((step, at) => {
        if (step.op !== "all-reduce") return [];
        const bucket = schedule.gradientBuckets[step.bucket]!;
        // After every backward of the bucket's segment, before the update.
        const backwards = steps.flatMap((s, i) =>
          s.op === "backward" && s.segment === bucket.segment ? [i] : [],
        );
        const lastBackward = Math.max(...backwards);
        expect(at).toBeGreaterThan(lastBackward);
        expect(at).toBeLessThan(steps.findIndex((s) => s.op === "apply"));
        const group = bucket.groups.find((g) => g.includes(program.device))!;
        return bucket.layers.map((layer) => ({ layer, group: [...group] }));
      });
      expect(
        reduced.sort((a, b) => a.layer.localeCompare(b.layer)),
        `device ${program.device}`,
      ).toEqual(want);
      expect(steps.at(-1)).toEqual({ op: "apply" });
    }
  });

  it("a 1F1B program runs every forward once in order and every backward once", () => {
    const pipelined = compileExampleFile("cnn", { devices: 4, strategy: "pipeline", microbatches: 3 }).plan!;
    const program = pipelined.schedule.programs[0]!.steps;
    const order = orderOf(program);
    expect(order.filter((o) => o.startsWith("f"))).toEqual(["f0", "f1", "f2"]);
    expect(order.filter((o) => o.startsWith("b")).sort()).toEqual(["b0", "b1", "b2"]);
    expect(pipelined.schedule.transfers.filter((t) => t.kind === "send-recv").length).toBeGreaterThan(0);
    expect(pipelined.predicted.microbatches).toBe(3);
  });
});
