import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanLayer } from "../../compiler/plan/index.js";
import { type SplitAxis, layerLayout } from "../../compiler/plan/layer-layout.js";
import { compileSource, readSource } from "../../compiler/pipeline.js";
import { holdLayer } from "../../runtime/plan-exec/stage-layers.js";
import { roleOf, stagesOf } from "../../runtime/plan-exec/stage-layout.js";
import { REPO } from "../support/run-cli.js";
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
    // ResNet-50 on 8 × h100: auto puts batchnorm (and the convolutions and relus around it) on d4 × m2 grids.
    // With replicated optimizers: ZeRO-1 would make all-data cheaper than any grid under the model.
    const result = compileSource(readSource(join(REPO, "examples", "resnet50.model")), {
      devices: 8,
      profile: "h100",
      optimizerSharding: "replicated",
    });
    const plan = result.plan!;
    const grid = (l: PlanLayer) => l.placement.dataDegree > 1 && l.placement.modelDegree > 1;
    let gridBatchnorms = 0;
    let gridChannelwise = 0;
    for (const stage of stagesOf(plan))
      for (const l of stage.layers) {
        // Per channel block a batchnorm holds, the rows its holders normalise over: one set of rows only, or
        // two devices would keep different statistics (and gamma/beta gradients) for the same channels.
        const rowsByBlock = new Map<string, Set<string>>();
        for (const device of l.placement.devices) {
          const role = roleOf(l, stage.devices, device);
          if (role.channelwise) {
            // Distinct blocks: the (row, channel) cells of the stage's ranks tile the d × m grid.
            const cells = new Set(role.blocks.map(([r, c]) => `${r}/${c}`));
            expect(cells.size).toBe(role.blocks.length);
            if (grid(l) && device === l.placement.devices[0]) gridChannelwise++;
          }
          if (l.op !== "batchnorm") continue;
          const block = role.channelwise ? `channels ${role.modelIndex}` : "all channels";
          const rows = role.rowSliced ? `rows ${role.dataIndex}` : "all rows";
          rowsByBlock.set(block, (rowsByBlock.get(block) ?? new Set()).add(rows));
          if (grid(l)) expect(role.channelwise || role.rowSliced, l.name).toBe(false);
        }
        for (const [block, rows] of rowsByBlock) expect([...rows], `${l.name}: ${block}`).toHaveLength(1);
        if (l.op === "batchnorm" && grid(l)) gridBatchnorms++;
      }
    // The case occurs: batchnorms on a grid, and channel-wise layers on a grid beside them.
    expect(gridBatchnorms).toBeGreaterThan(0);
    expect(gridChannelwise).toBeGreaterThan(0);
  });
});

describe("Megatron layouts as the plan writes them", () => {
  const layout = (op: string, attrs: Record<string, number>, m: number, split?: SplitAxis) =>
    layerLayout({ op, attrs, placement: { dataDegree: 1, modelDegree: m, ...(split ? { split } : {}) } });

  it("attention by heads where m divides them, the embedding by vocabulary, a dense row-parallel when the plan says so", () => {
    expect(layout("attention", { heads: 4 }, 2, "heads")).toMatchObject({ mode: "heads", partial: true });
    expect(layout("attention", { heads: 3 }, 2).mode).toBe("replicated");
    expect(layout("embedding", { input_dim: 12 }, 3, "vocabulary")).toMatchObject({
      mode: "vocabulary",
      partial: true,
    });
    expect(layout("dense", { units: 8 }, 2, "input_features")).toMatchObject({ mode: "row", partial: true });
    expect(layout("dense", { units: 8 }, 2, "units")).toMatchObject({
      mode: "column",
      cut: "units",
      partial: false,
    });
    expect(layout("dropout", {}, 2, "none").mode).toBe("replicated");
  });

  it("a plan written before these layouts (attention and embedding split 'none', dense 'units') runs as it says", () => {
    expect(layout("attention", { heads: 4 }, 2, "none").mode).toBe("replicated");
    expect(layout("embedding", { input_dim: 12 }, 2, "none").mode).toBe("replicated");
    expect(layout("dense", { units: 8 }, 2, "units").mode).toBe("column");
    // Older still (v1, no split at all): a dense is column-parallel, a channelwise op works on its block.
    expect(layout("dense", { units: 8 }, 2).mode).toBe("column");
    expect(layout("dropout", {}, 2).mode).toBe("channelwise");
  });
});
