import { describe, expect, it } from "vitest";
import { dataDegreeOf, describeBatchSplit } from "../../runtime/train/batch-split.js";
import { compileExampleFile } from "../placement/graphs.js";

const plan = (devices: number, strategy: "data" | "model" | "pipeline", microbatches?: number) =>
  compileExampleFile("mnist", { devices, strategy, ...(microbatches ? { microbatches } : {}) }).plan!;

describe("the banner's account of the global batch", () => {
  it("data parallelism splits it over the devices", () => {
    expect(describeBatchSplit(plan(2, "data"), 2, 64)).toBe("global batch 64 → 32 per device");
    expect(describeBatchSplit(plan(3, "data"), 3, 64)).toBe("global batch 64 → 21–22 per device");
    expect(dataDegreeOf(plan(2, "data"), 4)).toBe(4);
  });

  it("model parallelism does not split it", () => {
    expect(describeBatchSplit(plan(2, "model"), 2, 64)).toBe(
      "global batch 64, whole on every device (layers are split, not the batch)",
    );
    expect(dataDegreeOf(plan(2, "model"), 2)).toBe(1);
  });

  it("a pipeline cuts it into micro-batches", () => {
    const pipelined = plan(2, "pipeline", 4);
    expect(new Set(pipelined.layers.map((l) => l.placement.stage)).size).toBe(2);
    expect(describeBatchSplit(pipelined, 2, 64)).toBe("global batch 64 → 4 micro-batches of 16");
    expect(describeBatchSplit(pipelined, 2, 30)).toBe("global batch 30 → 4 micro-batches of ≤8");
  });
});
