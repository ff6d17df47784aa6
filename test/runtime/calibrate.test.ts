import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type DeviceProfile, OVERHEAD_FIELDS } from "../../compiler/cost/profile.js";
import { planProbe } from "../../cli/plan-probe.js";
import { calibrate, listBackends, listDevices } from "../../runtime/index.js";
import { splitProbePlans } from "../../runtime/plan-exec/split-overhead.js";
import { REPO } from "../support/run-cli.js";

describe("calibrate and devices", () => {
  it("measures a profile of the same shape as profiles/cpu.json", async () => {
    const profile = await calibrate({ devices: 2, backend: "wasm", planProbe });
    expect(profile.name).toBe("cpu");
    expect(profile.rate).toBe("fp32");
    expect(profile.source).toContain("wasm");
    for (const key of ["fp32FlopsPerSecond", "memoryBandwidth", "linkBandwidth", "linkLatency"] as const) {
      expect(profile[key], key).toBeGreaterThan(0);
      expect(Number.isFinite(profile[key]), key).toBe(true);
    }
    // Sanity bounds that hold on any machine this runs on: above 10 MFLOP/s, a latency below a second.
    expect(profile.fp32FlopsPerSecond).toBeGreaterThan(1e7);
    expect(profile.linkLatency).toBeLessThan(1);
    // Every fixed cost measured, none left at a shipped constant: the split term comes from the split probe.
    for (const key of OVERHEAD_FIELDS) {
      expect(Number.isFinite(profile[key]), key).toBe(true);
      expect(profile[key], key).toBeGreaterThanOrEqual(0);
    }
    expect(profile.splitLayerOverheadSeconds).toBeLessThan(0.5);
  }, 120_000);

  it("the split probe's model plan splits every layer, and its prediction grows by one term per split layer", () => {
    const shipped = JSON.parse(readFileSync(`${REPO}/profiles/cpu.json`, "utf8")) as DeviceProfile;
    const { data, split, slope } = splitProbePlans(shipped, 2, planProbe);
    expect(data.plan.layers.every((l) => l.placement.modelDegree === 1)).toBe(true);
    const splitLayers = split.plan.layers.filter((l) => l.op !== "input" && l.placement.modelDegree === 2);
    // conv2d, maxpool2d, flatten and three dense layers: one forward + backward each, no recompute.
    expect(splitLayers.length).toBe(6);
    expect(slope).toBeCloseTo(splitLayers.length, 6);
  });

  it("lists one CPU device per core, at most 8", () => {
    const devices = listDevices();
    expect(devices.length).toBeGreaterThan(0);
    expect(devices.length).toBeLessThanOrEqual(8);
    expect(devices[0]!.id).toBe("cpu:0");
    // CPU devices run the best CPU backend; WebGPU devices are processes pinned to GPU adapters instead.
    expect(devices[0]!.backend).toBe(listBackends().find((b) => b.available && b.name !== "webgpu")!.name);
  });

  it("lists the backends, wasm, cpu and (its optional packages installed) webgpu available here", () => {
    const backends = listBackends();
    expect(backends.map((b) => b.name)).toEqual(["tensorflow", "webgpu", "wasm", "cpu"]);
    expect(backends.find((b) => b.name === "webgpu")!.available).toBe(true);
    expect(backends.find((b) => b.name === "wasm")!.available).toBe(true);
    expect(backends.find((b) => b.name === "cpu")!.available).toBe(true);
  });
});
