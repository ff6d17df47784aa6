import { describe, expect, it } from "vitest";
import { compileModelText } from "./graphs.js";

// 6 dense layers of 8192×8192: 1.6 GB of float32 weights, 6.4 GB with gradients and two Adam slots.
const big = `
model Wide {
  input x: [8192]
  repeat 6 { dense(8192, activation: relu) }
  dense(10, activation: softmax)
}
train { optimizer: adam  batch: 32 }
`;

describe("the memory limit", () => {
  it("shards a model too large for one device, and the plan fits", () => {
    const result = compileModelText(big, { devices: 8, profile: "cpu" });
    expect(result.diagnostics).toEqual([]);
    const plan = result.plan!;
    expect(plan.predicted.baselines.data).toBeNull();
    for (const mem of plan.predicted.memoryPerDeviceBytes) expect(mem).toBeLessThanOrEqual(2 ** 31);
    expect(plan.layers.filter((l) => l.op === "dense").some((l) => l.placement.modelDegree > 1)).toBe(true);
  });

  it("is a located error with the per-device estimate and a device count that fits", () => {
    const result = compileModelText(big, { devices: 1, profile: "cpu" });
    expect(result.plan).toBeUndefined();
    const d = result.diagnostics.find((x) => x.code === "MG3001")!;
    expect(d.message).toMatch(/needs 6\.\d GB per device on 1 × cpu/);
    expect(d.hint).toMatch(/it would fit on (4|8) × cpu \(--devices (4|8)\)/);
    expect(result.source.position(d.span.start)).toEqual({ line: 2, column: 1 });
  });

  it("rejects strategy data when replicas overflow, and says how auto fits on the same devices", () => {
    const result = compileModelText(big, { devices: 8, profile: "cpu", strategy: "data" });
    const d = result.diagnostics.find((x) => x.code === "MG3001")!;
    expect(d.message).toMatch(/under strategy data/);
    expect(d.hint).toMatch(/^strategy auto fits on 8 × cpu: .+ \(--strategy auto\)$/);
    // And it does.
    const auto = compileModelText(big, { devices: 8, profile: "cpu", strategy: "auto" });
    expect(auto.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
    expect(auto.plan).toBeDefined();
  });
});
