import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allGatherTime, allReduceTime } from "../../compiler/cost/collectives.js";
import { divisors, enumerateConfigs } from "../../compiler/cost/layer-config.js";
import { layerCost } from "../../compiler/cost/layer-cost.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import { isProfileError, loadProfile } from "../../compiler/cost/profiles.js";
import { edgeCoefficients, redistributionTime } from "../../compiler/cost/redistribution.js";

const h100 = loadProfile("h100", ".") as DeviceProfile;

describe("device profiles", () => {
  it("ship with their sources and the float32 rate", () => {
    for (const name of ["h100", "a100", "v100", "cpu"]) {
      const p = loadProfile(name, ".");
      expect(isProfileError(p)).toBe(false);
      expect((p as DeviceProfile).source.length).toBeGreaterThan(20);
      expect((p as DeviceProfile).rate).toBe("fp32");
    }
    expect(h100.fp32FlopsPerSecond).toBe(67e12);
    expect(h100.linkBandwidth).toBe(450e9);
  });

  it("a missing or malformed profile file is an error value", () => {
    const dir = mkdtempSync(join(tmpdir(), "mgpuc-profile-"));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    writeFileSync(join(dir, "neg.json"), JSON.stringify({ ...h100, linkBandwidth: -1 }));
    writeFileSync(join(dir, "mine.json"), JSON.stringify({ ...h100, name: "mine" }));
    expect(loadProfile("nope.json", dir)).toMatchObject({
      error: expect.stringMatching(/no profile 'nope.json'/),
    });
    expect(loadProfile("bad.json", dir)).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
    expect(loadProfile("neg.json", dir)).toMatchObject({
      error: expect.stringMatching(/'linkBandwidth' must be a positive number/),
    });
    expect(loadProfile("mine.json", dir)).toMatchObject({ name: "mine", linkBandwidth: 450e9 });
  });
});

describe("the v1 formula", () => {
  it("ring collectives", () => {
    const S = 411e6;
    expect(allReduceTime(S, 8, h100)).toBeCloseTo(((2 * 7) / 8) * (S / 450e9) + 7 * 3e-6, 15);
    expect(allGatherTime(S, 8, h100)).toBeCloseTo((7 / 8) * (S / 450e9) + 7 * 3e-6, 15);
    expect(allReduceTime(S, 1, h100)).toBe(0);
  });

  it("a data → model switch costs exactly one ring all-gather; equal layouts cost nothing", () => {
    const co = edgeCoefficients("contract", { d: 8, m: 1 }, "contract", { d: 1, m: 8 });
    expect(redistributionTime(co, 26e6, h100)).toBeCloseTo(allGatherTime(26e6, 8, h100), 15);
    expect(edgeCoefficients("contract", { d: 8, m: 1 }, "contract", { d: 8, m: 1 }).fraction).toBe(0);
    expect(edgeCoefficients("contract", { d: 1, m: 8 }, "channel", { d: 1, m: 8 }).fraction).toBe(0);
  });

  it("roofline compute with backward = 2 × forward, on the device's share", () => {
    const w = {
      kind: "contract" as const,
      isInput: false,
      flops: 2e9,
      paramBytes: 4e6,
      trainableBytes: 4e6,
      inBytes: 4e3,
      outBytes: 4e3,
    };
    const one = layerCost(w, { d: 1, m: 1 }, 64, h100, 2);
    expect(one.compute).toBeCloseTo((3 * 2e9 * 64) / 67e12, 15);
    expect(layerCost(w, { d: 8, m: 1 }, 64, h100, 2).compute).toBeCloseTo(one.compute / 8, 15);
    expect(layerCost(w, { d: 8, m: 1 }, 64, h100, 2).gradAllReduce).toBeCloseTo(
      allReduceTime(4e6, 8, h100),
      15,
    );
    expect(layerCost(w, { d: 1, m: 8 }, 64, h100, 2).gradAllReduce).toBe(0);
    // Adam: weights + gradients + 2 slots of the shard, plus the kept output.
    expect(layerCost(w, { d: 1, m: 4 }, 64, h100, 2).memory).toBeCloseTo(1e6 * 4 + (4e3 * 64) / 4, 6);
  });

  it("configurations are (d, m) with d·m dividing the device count", () => {
    expect(divisors(12)).toEqual([1, 2, 3, 4, 6, 12]);
    const configs = enumerateConfigs(4);
    expect(configs[0]).toEqual({ d: 4, m: 1 });
    expect(configs).toHaveLength(6);
    for (const c of enumerateConfigs(12)) expect(12 % (c.d * c.m)).toBe(0);
  });
});
