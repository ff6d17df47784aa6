import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allGatherTime, allReduceTime } from "../../compiler/cost/collectives.js";
import { divisors, enumerateConfigs } from "../../compiler/cost/layer-config.js";
import { layerCost } from "../../compiler/cost/layer-cost.js";
import { type DeviceProfile, linkFor } from "../../compiler/cost/profile.js";
import { isProfileError, loadProfile } from "../../compiler/cost/profiles.js";
import { edgeCoefficients, redistributionTime } from "../../compiler/cost/redistribution.js";
import { expectedMaxOfNormals } from "../../compiler/cost/straggler.js";
import { CounterRandom } from "../../runtime/data/index.js";

const h100 = loadProfile("h100", ".") as DeviceProfile;
/** h100 without the optional fixed costs: the v1 formula. */
const v1: DeviceProfile = {
  name: "h100-v1",
  source: h100.source,
  rate: h100.rate,
  fp32FlopsPerSecond: h100.fp32FlopsPerSecond,
  memoryBytes: h100.memoryBytes,
  memoryBandwidth: h100.memoryBandwidth,
  linkBandwidth: h100.linkBandwidth,
  linkLatency: h100.linkLatency,
};

/** A dense layer's work: 1M parameters, 4 KB in and 2 KB out per sample. */
const SMALL_DENSE = {
  kind: "contract" as const,
  isInput: false,
  flops: 2e6,
  paramBytes: 4e6,
  trainableBytes: 4e6,
  inBytes: 4e3,
  outBytes: 2e3,
};

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

  it("an unsplittable layer with m > 1 is priced as the runtime runs it: replicated on the whole batch", () => {
    const softmax = { ...SMALL_DENSE, kind: "none" as const, flops: 5e3, paramBytes: 0, trainableBytes: 0 };
    const norm = { ...SMALL_DENSE, kind: "none" as const, paramBytes: 4e3, trainableBytes: 4e3 };
    // d2×m2: every one of the 4 devices computes all 64 rows, as data×1 does, not 32 as data×2.
    expect(layerCost(softmax, { d: 2, m: 2 }, 64, h100, 2).compute).toBeCloseTo(
      layerCost(softmax, { d: 1, m: 1 }, 64, h100, 2).compute,
      15,
    );
    expect(layerCost(softmax, { d: 2, m: 1 }, 64, h100, 2).compute).toBeLessThan(
      layerCost(softmax, { d: 2, m: 2 }, 64, h100, 2).compute,
    );
    // Each device's gradient is already the whole batch's: nothing to all-reduce.
    expect(layerCost(norm, { d: 2, m: 2 }, 64, h100, 2).gradAllReduce).toBe(0);
    expect(layerCost(norm, { d: 4, m: 1 }, 64, h100, 2).gradAllReduce).toBeGreaterThan(0);
    // Its output is whole on every device: a row-sliced consumer takes its rows locally, but the gradient
    // comes back in rows and each device needs all of it (3/4 of the tensor gathered); its input from a
    // row-sliced producer is gathered whole (3/4 again), the gradient going back sliced for free.
    expect(edgeCoefficients("none", { d: 2, m: 2 }, "contract", { d: 4, m: 1 }).fraction).toBeCloseTo(
      0.75,
      15,
    );
    expect(edgeCoefficients("contract", { d: 4, m: 1 }, "none", { d: 2, m: 2 }).fraction).toBeCloseTo(
      0.75,
      15,
    );
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
    const one = layerCost(w, { d: 1, m: 1 }, 64, v1, 2);
    expect(one.compute).toBeCloseTo((3 * 2e9 * 64) / 67e12, 15);
    expect(layerCost(w, { d: 8, m: 1 }, 64, v1, 2).compute).toBeCloseTo(one.compute / 8, 15);
    expect(one.update).toBe(0);
    expect(layerCost(w, { d: 8, m: 1 }, 64, h100, 2).gradAllReduce).toBeCloseTo(
      allReduceTime(4e6, 8, h100),
      15,
    );
    expect(layerCost(w, { d: 1, m: 8 }, 64, h100, 2).gradAllReduce).toBe(0);
    // Adam: weights + gradients + 2 slots of the shard, plus the kept output.
    expect(layerCost(w, { d: 1, m: 4 }, 64, h100, 2).memory).toBeCloseTo(1e6 * 4 + (4e3 * 64) / 4, 6);
  });

  it("fixed costs: per-layer dispatch and activations, weight gradients, a per-step update, recompute", () => {
    const fixed: DeviceProfile = {
      ...v1,
      layerOverheadSeconds: 1e-4,
      opOverheadSeconds: 1e-5,
      activationBandwidth: 1e9,
      elementwiseBandwidth: 1e10,
      weightGradientBandwidth: 2e9,
    };
    const w = SMALL_DENSE;
    const base = layerCost(w, { d: 2, m: 1 }, 64, v1, 2);
    const c = layerCost(w, { d: 2, m: 1 }, 64, fixed, 2);
    // Dispatch is per layer whatever its share; activations and weight gradient follow the device's share.
    // A contraction's input goes through its GEMM: only the output counts.
    const activations = (2e3 * 32) / 1e9;
    expect(c.compute - base.compute).toBeCloseTo(1e-4 + activations + 4e6 / 2e9, 12);
    // Adam: 2 weights × 14 kernels, each reading two shard-sized arrays and writing one.
    expect(c.update).toBeCloseTo(2 * 14 * 1e-5 + (3 * 14 * 4e6) / 1e10, 12);
    expect(layerCost(w, { d: 1, m: 2 }, 64, fixed, 0).update).toBeCloseTo(
      2 * 2 * 1e-5 + (3 * 2 * 2e6) / 1e10,
      12,
    );
    // A recomputed forward: 4 forward-equivalents of roofline, dispatch and activations instead of 3.
    const r = layerCost(w, { d: 2, m: 1 }, 64, fixed, 2, 64, true);
    const roof = base.compute / 3;
    expect(r.compute - c.compute).toBeCloseTo(roof + (1e-4 + activations) / 3, 12);
    const view = layerCost(
      { ...w, isView: true, trainableBytes: 0, paramBytes: 0 },
      { d: 1, m: 1 },
      64,
      fixed,
      2,
    );
    expect(
      view.compute -
        layerCost({ ...w, isView: true, trainableBytes: 0, paramBytes: 0 }, { d: 1, m: 1 }, 64, v1, 2)
          .compute,
    ).toBeCloseTo(1e-4, 12);
    expect(view.update).toBe(0);
  });

  it("compute jitter: a group of d·m devices waits for its slowest, E[max of d·m normals] σ above the mean", () => {
    // Monte Carlo check of the table: E[max of n standard normals] by sampling (Box–Muller; standard error
    // ~0.003 at 40,000 trials).
    const random = new CounterRandom(7, "straggler");
    let counter = 0;
    // In (0, 1): never 0, whose log is −∞.
    const uniform = () => (random.uniform(counter++) * (2 ** 24 - 1) + 0.5) / 2 ** 24;
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    for (const n of [2, 3, 4, 8]) {
      let sum = 0;
      const trials = 40_000;
      for (let t = 0; t < trials; t++) sum += Math.max(...Array.from({ length: n }, normal));
      expect(Math.abs(sum / trials - expectedMaxOfNormals(n)), `n = ${n}`).toBeLessThan(0.02);
    }
    expect(expectedMaxOfNormals(1)).toBe(0);
    // Beyond the table, the √(2 ln n) limit: increasing.
    expect(expectedMaxOfNormals(16)).toBeGreaterThan(expectedMaxOfNormals(8));

    const w = SMALL_DENSE;
    const jittery: DeviceProfile = { ...v1, computeJitter: 0.1, opOverheadSeconds: 1e-5 };
    const plain: DeviceProfile = { ...v1, opOverheadSeconds: 1e-5 };
    // One device waits for nobody; d·m = 4 devices pay 1 + 0.1 · 1.0294 on compute and update, not on comm.
    expect(layerCost(w, { d: 1, m: 1 }, 64, jittery, 2).compute).toBe(
      layerCost(w, { d: 1, m: 1 }, 64, plain, 2).compute,
    );
    const [a, b] = [layerCost(w, { d: 2, m: 2 }, 64, jittery, 2), layerCost(w, { d: 2, m: 2 }, 64, plain, 2)];
    expect(a.compute / b.compute).toBeCloseTo(1 + 0.1 * expectedMaxOfNormals(4), 12);
    expect(a.update / b.update).toBeCloseTo(1 + 0.1 * expectedMaxOfNormals(4), 12);
    expect(a.comm).toBe(b.comm);

    // Slower together: d·m = 4 devices pay the slowdowns on top of the wait for the slowest, forward +
    // backward and update each its own; one device alone pays none, and communication none.
    const shared: DeviceProfile = { ...jittery, concurrencySlowdown: 1.2, concurrencyUpdateSlowdown: 1.5 };
    const alone = layerCost(w, { d: 1, m: 1 }, 64, shared, 2);
    expect(alone.compute).toBe(layerCost(w, { d: 1, m: 1 }, 64, plain, 2).compute);
    expect(alone.update).toBe(layerCost(w, { d: 1, m: 1 }, 64, plain, 2).update);
    const c = layerCost(w, { d: 2, m: 2 }, 64, shared, 2);
    expect(c.compute / b.compute).toBeCloseTo(1.2 * (1 + 0.1 * expectedMaxOfNormals(4)), 12);
    expect(c.update / b.update).toBeCloseTo(1.5 * (1 + 0.1 * expectedMaxOfNormals(4)), 12);
    expect(c.comm).toBe(b.comm);
  });

  it("optional fixed-cost fields load when non-negative and are errors otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "mgpuc-profile-"));
    const base = { ...v1, name: "x" };
    writeFileSync(join(dir, "ok.json"), JSON.stringify({ ...base, stepOverheadSeconds: 0.01 }));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ ...base, layerOverheadSeconds: -1 }));
    writeFileSync(join(dir, "faster.json"), JSON.stringify({ ...base, concurrencySlowdown: 0.9 }));
    writeFileSync(join(dir, "shared.json"), JSON.stringify({ ...base, concurrencySlowdown: 1.15 }));
    writeFileSync(
      join(dir, "faster-update.json"),
      JSON.stringify({ ...base, concurrencyUpdateSlowdown: 0.5 }),
    );
    expect((loadProfile("ok.json", dir) as DeviceProfile).stepOverheadSeconds).toBe(0.01);
    expect((loadProfile("ok.json", dir) as DeviceProfile).layerOverheadSeconds).toBeUndefined();
    const bad = loadProfile("bad.json", dir);
    expect(isProfileError(bad) && bad.error).toContain(
      "'layerOverheadSeconds' must be a non-negative number",
    );
    // A group faster per device than one device alone is a measurement gone wrong, not a machine.
    const faster = loadProfile("faster.json", dir);
    expect(isProfileError(faster) && faster.error).toContain("'concurrencySlowdown' must be at least 1");
    expect((loadProfile("shared.json", dir) as DeviceProfile).concurrencySlowdown).toBe(1.15);
    const fasterUpdate = loadProfile("faster-update.json", dir);
    expect(isProfileError(fasterUpdate) && fasterUpdate.error).toContain(
      "'concurrencyUpdateSlowdown' must be at least 1",
    );
  });

  it("configurations are (d, m) with d·m dividing the device count", () => {
    expect(divisors(12)).toEqual([1, 2, 3, 4, 6, 12]);
    const configs = enumerateConfigs(4);
    expect(configs[0]).toEqual({ d: 4, m: 1 });
    expect(configs).toHaveLength(6);
    for (const c of enumerateConfigs(12)) expect(12 % (c.d * c.m)).toBe(0);
  });
});

describe("node topology", () => {
  it("the GPU profiles describe nodes of 8; a group spanning more than a node runs at the inter-node bandwidth", () => {
    expect(h100).toMatchObject({ devicesPerNode: 8, interNodeBandwidth: 50e9, interNodeLatency: 5e-6 });
    expect(linkFor(h100, 8)).toEqual({ bandwidth: 450e9, latency: 3e-6 });
    expect(linkFor(h100, 16)).toEqual({ bandwidth: 50e9, latency: 5e-6 });
    // Without topology (the v1 profile), every group is one hop.
    expect(linkFor(v1, 64)).toEqual({ bandwidth: 450e9, latency: 3e-6 });
    const S = 100e6;
    expect(allReduceTime(S, 16, h100)).toBeCloseTo(((2 * 15) / 16) * (S / 50e9) + 15 * 5e-6, 15);
    // A data-parallel group of 2 replicas, 8 devices apart (a d2 × m8 grid), crosses nodes.
    expect(allReduceTime(S, 2, h100, 16)).toBeCloseTo(S / 50e9 + 5e-6, 15);
    expect(allReduceTime(S, 2, h100, 8)).toBeCloseTo(S / 450e9 + 3e-6, 15);
    const cross = layerCost(SMALL_DENSE, { d: 2, m: 8 }, 64, h100, 2);
    const inside = layerCost(SMALL_DENSE, { d: 2, m: 4 }, 64, h100, 2);
    expect(cross.gradAllReduce).toBeGreaterThan(inside.gradAllReduce);
  });

  it("topology fields load when valid and are errors otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "mgpuc-profile-"));
    const base = { ...v1, name: "x" };
    writeFileSync(
      join(dir, "ok.json"),
      JSON.stringify({ ...base, devicesPerNode: 4, interNodeBandwidth: 1e10 }),
    );
    writeFileSync(join(dir, "frac.json"), JSON.stringify({ ...base, devicesPerNode: 2.5 }));
    writeFileSync(join(dir, "zero.json"), JSON.stringify({ ...base, interNodeBandwidth: 0 }));
    expect(loadProfile("ok.json", dir)).toMatchObject({ devicesPerNode: 4, interNodeBandwidth: 1e10 });
    expect(loadProfile("frac.json", dir)).toMatchObject({
      error: expect.stringContaining("'devicesPerNode' must be a positive integer"),
    });
    expect(loadProfile("zero.json", dir)).toMatchObject({
      error: expect.stringContaining("'interNodeBandwidth' must be a positive number"),
    });
  });
});
