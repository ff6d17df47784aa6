import { describe, expect, it } from "vitest";
import { explainText } from "../../compiler/emit/explain.js";
import { emitPlan } from "../../compiler/emit/plan.js";
import { checkPlanMeaning } from "../../compiler/plan/plan-meaning.js";
import { loadPlan, isPlanLoadError, validatePlanObject } from "../../compiler/plan/load-plan.js";
import { runCli } from "../support/run-cli.js";
import { compileExampleFile, compileModelText } from "./graphs.js";
import { loadProfile } from "../../compiler/cost/profiles.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Two small dense layers: on this machine's cpu profile, any spreading costs more than it saves. */
const SMALL = `
model Small_constructor {
  input x: [8]
  dense(4, activation: relu)
  dense(2, activation: softmax)
}
train Small_constructor { data: synthetic(samples: 64, classes: 2) loss: sparse_categorical_crossentropy }
`;

describe("auto uses fewer devices when spreading is predicted slower", () => {
  for (const devices of [2, 3, 4, 8]) {
    it(`a small model allowed ${devices} devices runs on the devices its layers use, and says why`, () => {
      const result = compileModelText(SMALL, { devices });
      const plan = result.plan!;
      expect(plan.devices.allowed).toBe(devices);
      expect(plan.devices.count).toBeLessThan(devices);
      // The plan is one for its own device count: valid, every device it names exists, memory per device used.
      expect(validatePlanObject(plan)).toBe(true);
      expect(checkPlanMeaning(plan)).toEqual([]);
      expect(plan.predicted.memoryPerDeviceBytes).toHaveLength(plan.devices.count);
      const used = Math.max(...plan.layers.flatMap((l) => l.placement.devices)) + 1;
      expect(used).toBe(plan.devices.count);
      // What all of them would cost is the slower plan it turned down.
      const all = plan.predicted.allAllowedStepTimeMs!;
      expect(all).toBeGreaterThan(plan.predicted.stepTimeMs);
      expect(all).toBeLessThanOrEqual(plan.predicted.baselines.data!);
      expect(explainText(plan)).toContain(
        `uses ${plan.devices.count} of ${devices} devices: all ${devices} predicted`,
      );
      // Written and read back, a plan file keeps both counts.
      const loaded = loadPlan(emitPlan(plan));
      expect(isPlanLoadError(loaded)).toBe(false);
      if (!isPlanLoadError(loaded)) expect(loaded.devices).toEqual(plan.devices);
    });
  }

  it("an explicit strategy uses exactly the devices asked for", () => {
    for (const strategy of ["data", "model"] as const) {
      const plan = compileModelText(SMALL, { devices: 4, strategy }).plan!;
      expect(plan.devices.count, strategy).toBe(4);
      expect(plan.devices.allowed, strategy).toBeUndefined();
      expect(plan.predicted.allAllowedStepTimeMs, strategy).toBeUndefined();
    }
  });

  it("a plan on one device is priced with its own step overhead, when the profile measured one", () => {
    const cpu = loadProfile("cpu", ".") as DeviceProfile;
    const mlp = (profile: DeviceProfile) => compileExampleFile("mnist", { devices: 2, profile }).plan!;
    // The shipped profile's 10 ms per step is charged to 1 device as to 2: auto spreads the MLP over both.
    expect(mlp(cpu).devices.count).toBe(2);
    expect(mlp({ ...cpu, singleDeviceStepOverheadSeconds: cpu.stepOverheadSeconds! }).devices.count).toBe(2);
    // Alone, a device waits for no peer: with 1.5 ms a step there (as the MLP measures here), 1 device wins.
    const alone = mlp({ ...cpu, singleDeviceStepOverheadSeconds: 1.5e-3 });
    expect(alone.devices.count).toBe(1);
    expect(alone.devices.allowed).toBe(2);
    expect(alone.layers.every((l) => l.placement.dataDegree * l.placement.modelDegree === 1)).toBe(true);
    // The same layers as the plan compiled for 1 device, with 1.5 ms instead of 10 ms of fixed cost.
    const one = compileExampleFile("mnist", { devices: 1, profile: cpu }).plan!;
    expect(alone.predicted.stepTimeMs).toBeCloseTo(one.predicted.stepTimeMs - 10 + 1.5, 3);
    expect(explainText(alone)).toContain("uses 1 of 2 devices: all 2 predicted");
  });

  it("a model that gains from every device uses them all", () => {
    const plan = compileExampleFile("gpt2", { devices: 8, profile: "h100" }).plan!;
    expect(plan.devices.count).toBe(8);
    expect(plan.devices.allowed).toBeUndefined();
    expect(explainText(plan)).not.toContain("uses ");
  });

  it("`mgpuc train` starts only the devices the plan uses, and its start event and banner say so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mgpuc-fewer-"));
    const file = join(dir, "small.model");
    writeFileSync(file, SMALL);
    const json = await runCli(["train", file, "--devices", "4", "--epochs", "1", "--no-save", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const start = JSON.parse(json.stdout.split("\n")[0]!) as {
      event: string;
      devices: number;
      strategy: string;
    };
    expect(start.event).toBe("start");
    expect(start.devices).toBe(1);
    expect(start.strategy).toContain("1 of 4 devices predicted faster");
    const text = await runCli([
      "train",
      file,
      "--devices",
      "4",
      "--strategy",
      "data",
      "--epochs",
      "1",
      "--no-save",
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/· 4 devices \(/);
  }, 120_000);
});
