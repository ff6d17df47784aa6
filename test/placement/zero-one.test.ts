import { describe, expect, it } from "vitest";
import { explainText } from "../../compiler/emit/explain.js";
import { type DeviceProfile, isProfileError, loadProfile } from "../../compiler/cost/index.js";
import type { Plan } from "../../compiler/plan/plan-types.js";
import { compileExampleFile } from "./graphs.js";

/**
 * ZeRO-1 as the planner sees it (compiler/placement/zero-one.ts): a data-parallel variant whose optimizer
 * state is 1/N per device, priced and chosen when it is faster or is the only way to fit.
 */

const CPU = ((): DeviceProfile => {
  const profile = loadProfile("cpu", ".");
  if (isProfileError(profile)) throw new Error(profile.error);
  return profile;
})();
/** The seed MLP's trainable parameters (Keras's count) and Adam's two slots per parameter. */
const MLP_TRAINABLE_BYTES = 101_770 * 4;
const ADAM_SLOTS = 2;

const maxMemory = (plan: Plan) => Math.max(...plan.predicted.memoryPerDeviceBytes);

describe("ZeRO-1 in the plan", () => {
  it("asked for on the seed MLP's 2 devices: its collectives, 1/2 the optimizer state, the replicated plan as the other choice", () => {
    const zero = compileExampleFile("mnist", {
      devices: 2,
      strategy: "data",
      optimizerSharding: "zero-1",
    }).plan!;
    const plain = compileExampleFile("mnist", {
      devices: 2,
      strategy: "data",
      optimizerSharding: "replicated",
    }).plan!;
    const sharding = zero.predicted.optimizerSharding!;
    expect(sharding.chosen).toBe("zero-1");
    expect(zero.schedule.optimizerSharding).toBe("zero-1");
    // The alternative it reports is the replicated plan, priced the same way.
    expect(sharding.otherStepTimeMs).toBeCloseTo(plain.predicted.stepTimeMs, 6);
    expect(sharding.otherMemoryPerDeviceBytes).toBe(maxMemory(plain));
    expect(plain.schedule.optimizerSharding).toBeUndefined();
    expect(plain.predicted.optimizerSharding?.chosen).toBe("replicated");
    // Each device keeps half of Adam's state.
    expect(maxMemory(plain) - maxMemory(zero)).toBeCloseTo((MLP_TRAINABLE_BYTES * ADAM_SLOTS) / 2, -1);
    const dense = zero.layers.find((l) => l.name === "dense")!;
    expect(dense.collectives?.map((c) => [c.kind, c.phase])).toEqual([
      ["reduce-scatter", "backward"],
      ["all-gather", "update"],
    ]);
    expect(plain.layers.find((l) => l.name === "dense")!.collectives?.map((c) => c.kind)).toEqual([
      "all-reduce",
    ]);
    // Under the shipped profile the split update's fewer kernel calls outweigh one more collective latency.
    expect(zero.predicted.stepTimeMs).toBeLessThan(plain.predicted.stepTimeMs);
    expect(explainText(zero).split("\n")[2]).toMatch(
      /^optimizer: ZeRO-1, state and update split 1\/2 over the replicas: predicted [\d.]+ ms faster and [\d.]+ KB less per device than replicated$/,
    );
  });

  it("by default an all-data plan that fits keeps its optimizer replicated, and explain says what ZeRO-1 would change", () => {
    const plan = compileExampleFile("mnist", { devices: 2, strategy: "data" }).plan!;
    expect(plan.schedule.optimizerSharding).toBeUndefined();
    const sharding = plan.predicted.optimizerSharding!;
    expect(sharding.chosen).toBe("replicated");
    expect(sharding.otherMemoryPerDeviceBytes).toBeLessThan(maxMemory(plan));
    expect(explainText(plan).split("\n")[2]).toMatch(
      /^optimizer: replicated on every device \(ZeRO-1 would hold [\d.]+ KB less per device, predicted [\d.]+ ms faster; auto shards it only to fit memory\)$/,
    );
  });

  it("makes data parallelism fit where replicated optimizer state does not", () => {
    const plain = compileExampleFile("mnist", { devices: 2, strategy: "data" }).plan!;
    const between = Math.round(
      (maxMemory(plain) + plain.predicted.optimizerSharding!.otherMemoryPerDeviceBytes) / 2,
    );
    // Collectives slow to start, kernel calls free: ZeRO-1 is predicted slower here, yet it is what fits.
    const tight: DeviceProfile = { ...CPU, memoryBytes: between, opOverheadSeconds: 0, linkLatency: 2e-3 };
    const refused = compileExampleFile("mnist", {
      devices: 2,
      strategy: "data",
      profile: tight,
      optimizerSharding: "replicated",
    });
    expect(refused.plan).toBeUndefined();
    expect(refused.diagnostics.length).toBeGreaterThan(0);
    const fitted = compileExampleFile("mnist", { devices: 2, strategy: "data", profile: tight }).plan!;
    expect(fitted.schedule.optimizerSharding).toBe("zero-1");
    expect(maxMemory(fitted)).toBeLessThanOrEqual(between);
    expect(explainText(fitted).split("\n")[2]).toMatch(/ms slower but [\d.]+ KB less per device/);
    // auto weighs that plan with the others that fit.
    const auto = compileExampleFile("mnist", { devices: 2, profile: tight }).plan!;
    expect(maxMemory(auto)).toBeLessThanOrEqual(between);
    expect(auto.predicted.stepTimeMs).toBeLessThanOrEqual(fitted.predicted.stepTimeMs);
  });

  it("only all-data plans on several devices have the choice", () => {
    const one = compileExampleFile("mnist", { devices: 1, optimizerSharding: "zero-1" }).plan!;
    expect(one.predicted.optimizerSharding).toBeUndefined();
    expect(one.schedule.optimizerSharding).toBeUndefined();
    for (const strategy of ["model", "pipeline"] as const) {
      const plan = compileExampleFile("cnn", { devices: 2, strategy, optimizerSharding: "zero-1" }).plan!;
      expect(plan.predicted.optimizerSharding, strategy).toBeUndefined();
      expect(plan.schedule.optimizerSharding, strategy).toBeUndefined();
    }
  });
});
