import { describe, expect, it } from "vitest";
import { calibrate, listBackends, listDevices } from "../../runtime/index.js";

describe("calibrate and devices", () => {
  it("measures a profile of the same shape as profiles/cpu.json", async () => {
    const profile = await calibrate({ devices: 2, backend: "wasm" });
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
  });

  it("lists one CPU device per core, at most 8", () => {
    const devices = listDevices();
    expect(devices.length).toBeGreaterThan(0);
    expect(devices.length).toBeLessThanOrEqual(8);
    expect(devices[0]!.id).toBe("cpu:0");
    expect(devices[0]!.backend).toBe(listBackends().find((b) => b.available)!.name);
  });

  it("lists the backends, wasm and cpu available here", () => {
    const backends = listBackends();
    expect(backends.map((b) => b.name)).toEqual(["tensorflow", "wasm", "cpu"]);
    expect(backends.find((b) => b.name === "wasm")!.available).toBe(true);
    expect(backends.find((b) => b.name === "cpu")!.available).toBe(true);
  });
});
