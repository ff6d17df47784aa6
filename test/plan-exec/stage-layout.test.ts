import { describe, expect, it } from "vitest";
import { holdLayer } from "../../runtime/plan-exec/stage-layers.js";
import { roleOf, stagesOf } from "../../runtime/plan-exec/stage-layout.js";
import { CNN, MLP, RESIDUAL, compilePlan, v1CpuProfile } from "./plan-fixtures.js";

/** Each layer's role on device 0, by op, for a compiled plan. */
function roles(text: string, strategy: "model" | "auto", devices: number, v1 = false) {
  const { plan } = compilePlan(text, { strategy, devices, ...(v1 ? { profile: v1CpuProfile() } : {}) }, 1);
  const stage = stagesOf(plan)[0]!;
  const shapes = new Map(plan.layers.map((l) => [l.name, l.outputShape]));
  return stage.layers.map((l) => {
    const role = roleOf(l, stage.devices, stage.devices[0]!);
    return {
      op: l.op,
      role,
      held: holdLayer(
        role,
        l.inputs.map((i) => shapes.get(i)!),
      ),
    };
  });
}

describe("how a worker runs each layer of a model-parallel stage", () => {
  it("CNN model × 2: conv2d and dense split; maxpool runs on its channel block; flatten replicated", () => {
    const byOp = new Map(roles(CNN, "model", 2).map((r) => [r.op, r]));
    const pool = byOp.get("maxpool2d")!;
    expect(pool.role.modelDegree).toBe(2);
    expect(pool.role.channelwise).toBe(true);
    expect(pool.role.split).toBe(false);
    expect(byOp.get("conv2d")!.role.split).toBe(true);
    // conv2d's relu runs on its block too (per channel); the head's softmax needs every channel.
    expect(byOp.get("conv2d")!.held.activation?.perChannel).toBe(true);
    const flatten = byOp.get("flatten")!.role;
    expect(flatten.channelwise || flatten.split || flatten.sharded).toBe(false);
  });

  it("MLP model × 2: dropout runs on its block of the 128 units", () => {
    const dropout = roles(MLP, "model", 2).find((r) => r.op === "dropout")!;
    expect(dropout.role.modelDegree).toBe(2);
    expect(dropout.role.channelwise).toBe(true);
  });

  it("residual model × 2: batchnorm holds only its channels' gamma, beta and moving statistics", () => {
    const all = roles(RESIDUAL, "model", 2);
    const bn = all.find((r) => r.op === "batchnorm")!;
    expect(bn.role.channelwise && bn.role.sharded).toBe(true);
    // 6 channels over 2 devices: 3 each.
    expect(bn.held.layer!.weights.map((w) => w.shape)).toEqual([[3], [3], [3], [3]]);
    const add = all.find((r) => r.op === "add")!;
    expect(add.role.channelwise).toBe(true);
  });

  it("a d × m grid never holds one batchnorm block twice: there it runs replicated", () => {
    const { plan } = compilePlan(RESIDUAL, { strategy: "auto", devices: 4, profile: v1CpuProfile() }, 1);
    for (const stage of stagesOf(plan))
      for (const l of stage.layers) {
        const role = roleOf(l, stage.devices, stage.devices[0]!);
        if (l.op === "batchnorm" && role.dataDegree > 1) expect(role.channelwise).toBe(false);
        if (role.channelwise) {
          // Distinct blocks: the (row, channel) cells of the stage's ranks tile the d × m grid.
          const cells = new Set(role.blocks.map(([r, c]) => `${r}/${c}`));
          expect(cells.size).toBe(role.blocks.length);
        }
      }
  });
});
