import { describe, expect, it } from "vitest";
import { loadProfile } from "../../compiler/cost/profiles.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import { estimateCost } from "../../compiler/cost/estimate-cost.js";
import { evaluateLayers } from "../../compiler/placement/layers-problem.js";
import { priceStagedPlan } from "../../compiler/placement/pipeline-plans.js";
import { placeLayers } from "../../compiler/passes/place-layers.js";
import { compileExampleFile, compileModelText, context } from "./graphs.js";

/**
 * Transformers planned the way Megatron-LM splits them (issue 15): attention by heads, each MLP's dense pair
 * column then row, the embedding by vocabulary, tensor × pipeline × data grids; and the search never predicted
 * slower than the plans a person would write by hand, priced by the same cost model.
 */

const splitsOf = (plan: NonNullable<ReturnType<typeof compileModelText>["plan"]>, op: string) =>
  plan.layers.filter((l) => l.op === op).map((l) => l.placement.split);

describe("GPT-2 under --strategy model on 4 devices", () => {
  const { plan } = compileExampleFile("gpt2", { devices: 4, strategy: "model" });
  it("splits attention by heads, each MLP by units then input features, the embedding by vocabulary", () => {
    expect(plan).toBeDefined();
    const p = plan!;
    expect(splitsOf(p, "attention")).toEqual(new Array(12).fill("heads"));
    expect(splitsOf(p, "embedding")).toEqual(["vocabulary"]);
    // Each block's two dense layers: dense(3072, gelu) column-parallel, dense(768) row-parallel.
    expect(splitsOf(p, "dense")).toEqual(new Array(12).fill(["units", "input_features"]).flat());
    // Layernorm, dropout and the residual adds run whole inside the model group.
    for (const op of ["layernorm", "dropout", "add"])
      expect(new Set(splitsOf(p, op))).toEqual(new Set(["none"]));
  });

  it("writes per-layer collectives: one all-reduce forward after attention and after each MLP, one backward into each", () => {
    const p = plan!;
    const attention = p.layers.find((l) => l.op === "attention")!;
    expect(attention.collectives).toContainEqual(
      expect.objectContaining({ kind: "all-reduce", phase: "backward" }),
    );
    // The partial sums are added up where they are next read: the dropout after the attention.
    const after = p.layers.find((l) => l.inputs.includes(attention.name))!;
    expect(after.collectives).toContainEqual(
      expect.objectContaining({ kind: "all-reduce", phase: "forward" }),
    );
    const [column, row] = p.layers.filter((l) => l.op === "dense").slice(0, 2);
    expect(column!.collectives).toContainEqual(
      expect.objectContaining({ kind: "all-reduce", phase: "backward" }),
    );
    // Nothing moves between the pair: the row-parallel dense reads the column one's block.
    expect(row!.collectives ?? []).not.toContainEqual(expect.objectContaining({ kind: "all-gather" }));
  });
});

describe("plans that fit each device's memory", () => {
  it("GPT-2 on 8 × h100 fits", () => {
    const { plan } = compileExampleFile("gpt2", { devices: 8, profile: "h100" });
    expect(plan).toBeDefined();
    const cap = plan!.devices.memoryBytes!;
    expect(Math.max(...plan!.predicted.memoryPerDeviceBytes)).toBeLessThanOrEqual(cap);
  });

  it("GPT-2 XL (1,557,611,200 parameters, batch 32) on 8 × v100 fits; pure data parallelism is refused saying what fits", () => {
    const auto = compileExampleFile("gpt2-xl", { devices: 8, profile: "v100" });
    expect(auto.plan).toBeDefined();
    const cap = auto.plan!.devices.memoryBytes!;
    expect(cap).toBe(32e9);
    expect(Math.max(...auto.plan!.predicted.memoryPerDeviceBytes)).toBeLessThanOrEqual(cap);
    const data = compileExampleFile("gpt2-xl", { devices: 8, profile: "v100", strategy: "data" });
    expect(data.plan).toBeUndefined();
    const d = data.diagnostics.find((x) => x.code === "MG3001")!;
    expect(d.message).toMatch(/under strategy data, and a device has 32 GB/);
    expect(d.hint).toMatch(/^strategy auto fits on 8 × v100: .+ \(--strategy auto\)$/);
  });
});

/** A small GPT in the language, sized by its arguments. */
function gpt(blocks: number, width: number, heads: number, positions: number, vocabulary: number): string {
  return `block decoder(x) {
  layernorm -> attention(${heads}, causal: true) -> dropout(0.1)
  h = add(_, x)
  layernorm -> dense(${4 * width}, activation: gelu) -> dense(${width}) -> dropout(0.1)
  add(_, h)
}
model G {
  input tokens: int32[${positions}]
  x = embedding(${vocabulary}, ${width})
  p = position_embedding(${positions})
  add(x, p)
  repeat ${blocks} { decoder(_) }
  layernorm
  dense(${vocabulary}, activation: softmax)
}
train G { batch: 32 }
`;
}

describe("auto is never predicted slower than data parallelism or a Megatron-style hand plan", () => {
  const sizes = [
    { blocks: 2, width: 64, heads: 8, positions: 16, vocabulary: 96 },
    { blocks: 4, width: 256, heads: 8, positions: 64, vocabulary: 512 },
    { blocks: 2, width: 1024, heads: 16, positions: 128, vocabulary: 8192 },
  ];
  for (const profileName of ["h100", "cpu"] as const) {
    for (const s of sizes) {
      it(`${s.blocks} blocks of width ${s.width}, ${s.heads} heads, on 8 × ${profileName}`, () => {
        const profile = loadProfile(profileName, ".") as DeviceProfile;
        const front = compileModelText(gpt(s.blocks, s.width, s.heads, s.positions, s.vocabulary), {
          stopAfter: "check-data",
        });
        const graph = front.graph!;
        const devices = 8;
        const batch = 32;
        const slots = 2;
        const table = estimateCost(graph, profile, devices, batch, slots);
        const options = { devices, strategy: "auto" as const, profile, batch, optimizerSlots: slots };
        const auto = placeLayers(graph, options, context())!;
        expect(auto).toBeDefined();
        const fits = (memory: readonly number[]) => Math.max(...memory) <= profile.memoryBytes;
        const hand: { label: string; step: number }[] = [];
        // Tensor degree t (dividing the heads) × pipeline stages p × data d = 8 / (t · p), every layer alike.
        for (const t of [1, 2, 4, 8]) {
          for (const p of [1, 2, 4]) {
            if (t * p > devices || s.heads % t !== 0) continue;
            const g = devices / p;
            if (p === 1) {
              const k = table.configs.findIndex((c) => c.d === g / t && c.m === t);
              const e = evaluateLayers(
                graph,
                table,
                graph.nodes.map(() => k),
              );
              if (fits(e.memoryPerDevice)) hand.push({ label: `t${t} d${g / t}`, step: e.stepTime });
              continue;
            }
            const staged = priceStagedPlan(
              graph,
              profile,
              batch,
              slots,
              { stages: p, groupSize: g, microbatches: 4 * p },
              (stage) => graph.nodes.map(() => stage.configs.findIndex((c) => c.d === g / t && c.m === t)),
            );
            if (staged) hand.push({ label: `t${t} p${p} d${g / t}`, step: staged.partition.stepTime });
          }
        }
        expect(hand.length).toBeGreaterThan(3);
        for (const h of hand) expect(auto.stepTime, h.label).toBeLessThanOrEqual(h.step * (1 + 1e-9));
      });
    }
  }
});

describe("on many devices, tensor splits stay inside a node (8 per node in the GPU profiles)", () => {
  for (const [example, profile] of [
    ["gpt2", "h100"],
    ["gpt2-xl", "v100"],
  ] as const) {
    it(`${example} on 64 × ${profile}`, () => {
      const { plan } = compileExampleFile(example, { devices: 64, profile });
      expect(plan).toBeDefined();
      for (const l of plan!.layers) {
        const { modelDegree: m, devices } = l.placement;
        expect(m, l.name).toBeLessThanOrEqual(8);
        // A model group is m consecutive positions of the layer's devices: inside one node of 8.
        for (let g = 0; g < devices.length; g += m) {
          const group = devices.slice(g, g + m);
          expect(new Set(group.map((d) => Math.floor(d / 8))).size, l.name).toBe(1);
        }
      }
    });
  }
});
