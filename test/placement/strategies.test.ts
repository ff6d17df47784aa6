import { describe, expect, it } from "vitest";
import { planSchemaErrors, validatePlanObject } from "../../compiler/plan/load-plan.js";
import type { Plan } from "../../compiler/plan/plan-types.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import { loadProfile } from "../../compiler/cost/profiles.js";
import { estimateCost } from "../../compiler/cost/estimate-cost.js";
import { placeLayers } from "../../compiler/passes/place-layers.js";
import { solveDag } from "../../compiler/placement/frontier-dp.js";
import { layersProblem } from "../../compiler/placement/layers-problem.js";
import { solveWithinMemory } from "../../compiler/placement/memory-search.js";
import type { LayerConfig } from "../../compiler/cost/layer-config.js";
import { optimizerSlots } from "../../compiler/cost/optimizer-slots.js";
import { compileExampleFile, context, denseLayer, EXAMPLES, handGraph, type LayerSpec } from "./graphs.js";
import {
  bestPipelinesByHand,
  choose,
  everyAssignment,
  fits,
  pipelinePricer,
  priceLayers,
  priceUniform,
  type PricedPlan,
} from "./price-by-hand.js";

/** The checks of shared/checks/plan-core.js that a schema cannot say: kind agrees with the degrees. */
function kindProblems(plan: Plan): string[] {
  return plan.layers.flatMap((l) => {
    const p = l.placement;
    const kind = p.modelDegree === 1 ? "data" : p.dataDegree === 1 ? "model" : "hybrid";
    return p.kind === kind ? [] : [`${l.name}: ${p.kind} vs ${kind}`];
  });
}

// The big examples at fewer device counts keep this file to a few seconds.
const DEVICE_COUNTS: Record<string, readonly number[]> = {
  mnist: [1, 2, 3, 4, 5, 8, 16, 64],
  cnn: [1, 2, 4, 6, 8, 32, 64],
  residual: [1, 2, 4, 8, 16],
  vgg16: [1, 2, 8, 64],
  resnet50: [1, 8],
};

/** Plans report milliseconds to 6 significant digits. */
const ROUNDING = 1e-5;

const ms = (seconds: number) => seconds * 1000;

/** Every (d, m) with d · m dividing n: each layer's possible configurations (compiler/cost/README.md). */
function configsOf(n: number): LayerConfig[] {
  const out: LayerConfig[] = [];
  for (let g = 1; g <= n; g++) {
    if (n % g !== 0) continue;
    for (let d = 1; d <= g; d++) if (g % d === 0) out.push({ d, m: g / d });
  }
  return out;
}

/** The stage counts the search tries on n devices (compiler/placement/README.md): divisors of n and min(n, L). */
function stageCountsOf(n: number, layers: number): number[] {
  const out: number[] = [];
  for (let K = 2; K <= Math.min(n, layers); K++) if (n % K === 0 || K === Math.min(n, layers)) out.push(K);
  return out;
}

function pricingOf(result: ReturnType<typeof compileExampleFile>, devices: number, profile: DeviceProfile) {
  return {
    graph: result.graph!,
    profile,
    devices,
    batch: result.training!.batch,
    optimizerSlots: optimizerSlots(result.training!.optimizer),
  };
}

/**
 * A reported baseline in ms against the same plan priced by hand: present with that price when the plan fits,
 * absent (null) only when it does not, so a comparison with it can never be skipped by a missing baseline.
 */
function expectBaseline(reported: number | null, byHand: PricedPlan, profile: DeviceProfile, what: string) {
  if (!fits(byHand, profile)) {
    expect(reported, `${what}: does not fit, so no baseline`).toBeNull();
    return;
  }
  expect(reported, `${what}: fits, so it must be a baseline`).not.toBeNull();
  expect(Math.abs(reported! - ms(byHand.stepTime)) / ms(byHand.stepTime), what).toBeLessThanOrEqual(ROUNDING);
}

describe("auto is never worse than a pure strategy priced by hand, and every plan is valid", () => {
  for (const example of EXAMPLES) {
    it(example, () => {
      let compared = 0;
      for (const devices of DEVICE_COUNTS[example]!) {
        const result = compileExampleFile(example, { devices });
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const plan = result.plan!;
        expect(validatePlanObject(plan), JSON.stringify(planSchemaErrors())).toBe(true);
        expect(kindProblems(plan)).toEqual([]);
        // Auto may use fewer devices than allowed, and then says how many it was allowed and what all would cost.
        if (plan.devices.allowed === undefined) expect(plan.devices.count).toBe(devices);
        else {
          expect(plan.devices.allowed).toBe(devices);
          expect(plan.devices.count).toBeLessThan(devices);
          expect(plan.predicted.allAllowedStepTimeMs ?? Infinity).toBeGreaterThanOrEqual(
            plan.predicted.stepTimeMs,
          );
        }
        expect(plan.layers.map((l) => l.name)).toEqual(result.graph!.nodes.map((n) => n.name));
        for (const mem of plan.predicted.memoryPerDeviceBytes)
          expect(mem).toBeLessThanOrEqual(plan.devices.memoryBytes);

        const profile = loadProfile(plan.devices.profile, ".") as DeviceProfile;
        const pricing = pricingOf(result, devices, profile);
        const auto = plan.predicted.stepTimeMs;
        const { baselines } = plan.predicted;
        const at = `${example} on ${devices}`;
        // Data and model parallel, every layer the same configuration, priced layer by layer.
        for (const [name, config] of [
          ["data", { d: devices, m: 1 }],
          ["model", { d: 1, m: devices }],
        ] as const) {
          const byHand = priceUniform(pricing, config);
          expectBaseline(baselines[name], byHand, profile, `${at}: ${name}`);
          if (!fits(byHand, profile)) continue;
          expect(auto, `${at}: auto vs ${name}`).toBeLessThanOrEqual(ms(byHand.stepTime) * (1 + ROUNDING));
          compared++;
        }
        // Pipelines of one device per stage: the search minimises the slowest stage, so the pipeline baseline
        // is no slower than the slowest step among any stage count's minimum-bottleneck partitions.
        const layers = pricing.graph.nodes.length;
        const counts = devices === 1 ? [1] : stageCountsOf(devices, layers);
        for (const K of counts.filter((k) => choose(layers - 1, k - 1) <= 2000)) {
          const best = bestPipelinesByHand(pricing, K, 1, 4 * K);
          if (!best) continue;
          expect(baselines.pipeline, `${at}: a ${K}-stage pipeline fits`).not.toBeNull();
          expect(baselines.pipeline!, `${at}: pipeline vs ${K} stages`).toBeLessThanOrEqual(
            ms(best.slowest) * (1 + ROUNDING),
          );
          expect(auto, `${at}: auto vs ${K} stages`).toBeLessThanOrEqual(ms(best.slowest) * (1 + ROUNDING));
          compared++;
        }
      }
      // Two layer-wise plans per device count at least: the comparisons above did run.
      expect(compared).toBeGreaterThanOrEqual(2 * DEVICE_COUNTS[example]!.length);
    });
  }

  it("each pure strategy's plan is that strategy's hand-written plan, at its hand-computed price", () => {
    const devices = 4;
    const profile = loadProfile("cpu", ".") as DeviceProfile;
    for (const strategy of ["data", "model", "pipeline"] as const) {
      const result = compileExampleFile("cnn", { devices, strategy, profile: "cpu" });
      const plan = result.plan!;
      const pricing = pricingOf(result, devices, profile);
      const layers = plan.layers.length;
      expect(plan.strategy).toBe(strategy);
      expect(plan.predicted.baselines[strategy]).toBe(plan.predicted.stepTimeMs);
      let byHand: number;
      if (strategy === "data") {
        expect(plan.layers.every((l) => l.placement.dataDegree === 4 && l.placement.modelDegree === 1)).toBe(
          true,
        );
        byHand = priceUniform(pricing, { d: 4, m: 1 }).stepTime;
      } else if (strategy === "model") {
        expect(plan.layers.every((l) => l.placement.dataDegree === 1 && l.placement.modelDegree === 4)).toBe(
          true,
        );
        byHand = priceUniform(pricing, { d: 1, m: 4 }).stepTime;
      } else {
        const K = plan.predicted.stages;
        const M = plan.predicted.microbatches;
        expect(K).toBeGreaterThan(1);
        expect(M).toBe(4 * K);
        expect(plan.layers.every((l) => l.placement.devices.length === 1)).toBe(true);
        // Its own partition, priced by hand, has the smallest bottleneck of any partition into K stages …
        const own = pipelinePricer(pricing, 1, M)(boundsOf(plan.layers.map((l) => l.placement.stage)));
        expect(own.bottleneck).toBeCloseTo(bestPipelinesByHand(pricing, K, 1, M)!.bottleneck, 12);
        byHand = own.stepTime;
        // … and no stage count's best partition is faster.
        for (const k of stageCountsOf(devices, layers)) {
          const best = bestPipelinesByHand(pricing, k, 1, 4 * k)!;
          expect(plan.predicted.stepTimeMs).toBeLessThanOrEqual(ms(best.slowest) * (1 + ROUNDING));
        }
      }
      expect(Math.abs(plan.predicted.stepTimeMs - ms(byHand)) / ms(byHand), strategy).toBeLessThanOrEqual(
        ROUNDING,
      );
    }
  });
});

/** Stage bounds [0, …, L] from each layer's stage. */
function boundsOf(stages: readonly number[]): number[] {
  const bounds = [0];
  stages.forEach((s, v) => {
    if (v > 0 && s !== stages[v - 1]) bounds.push(v);
  });
  bounds.push(stages.length);
  return bounds;
}

describe("auto against brute force over every plan of a small graph", () => {
  for (const example of ["mnist", "cnn"] as const) {
    for (const profileName of ["cpu", "h100"] as const) {
      it(`${example} on ${profileName}, 2–4 devices`, () => {
        const profile = loadProfile(profileName, ".") as DeviceProfile;
        for (const devices of [2, 3, 4]) {
          const result = compileExampleFile(example, { devices, profile: profileName });
          const pricing = pricingOf(result, devices, profile);
          const { graph } = pricing;
          const layers = graph.nodes.length;
          const auto = placeLayers(
            graph,
            {
              devices,
              strategy: "auto",
              profile,
              batch: pricing.batch,
              optimizerSlots: pricing.optimizerSlots,
            },
            context(),
          )!;
          // Every plan without stages: every configuration of every layer.
          let best = Infinity;
          for (const configs of everyAssignment(layers, configsOf(devices))) {
            const plan = priceLayers(pricing, configs);
            if (fits(plan, profile)) best = Math.min(best, plan.stepTime);
          }
          expect(best, "some plan without stages fits").toBeLessThan(Infinity);
          // Every pipeline the search may build: K stages of 1 or n/K devices, data-parallel inside.
          for (const K of stageCountsOf(devices, layers)) {
            const groups = devices % K === 0 && devices / K > 1 ? [1, devices / K] : [1];
            for (const g of groups) {
              const pipelines = bestPipelinesByHand(pricing, K, g, 4 * K);
              if (pipelines) best = Math.min(best, pipelines.slowest);
            }
          }
          const at = `${example} on ${devices} × ${profileName}`;
          expect(auto.stepTime, at).toBeLessThanOrEqual(best * (1 + 1e-9));
          // What auto reports is the price of the plan it returns, so it is that optimum, not a number below it.
          const own =
            auto.stages === 1
              ? priceLayers(
                  pricing,
                  auto.layers.map((l) => l.config),
                )
              : pipelinePricer(
                  pricing,
                  auto.stageDevices,
                  auto.microbatches,
                )(boundsOf(auto.layers.map((l) => l.stage)));
          expect(Math.abs(own.stepTime - auto.stepTime) / auto.stepTime, at).toBeLessThanOrEqual(1e-9);
          expect(fits(own, profile), at).toBe(true);
        }
      });
    }
  }
});

describe("a frontier too wide for the exact table", () => {
  it("still gets a plan no worse than data parallel", () => {
    // Eight branches live at once on 64 devices: 28^8 states would not fit, so the search narrows its choices.
    const layers: LayerSpec[] = [{ op: "input", inputs: [], width: 512 }];
    for (let b = 0; b < 8; b++) layers.push(denseLayer([0], 512, 512));
    layers.push({ op: "add", inputs: [1, 2, 3, 4, 5, 6, 7, 8], width: 512, flops: 4096 });
    const graph = handGraph(layers);
    const ctx = context();
    const placement = placeLayers(
      graph,
      {
        devices: 64,
        strategy: "auto",
        profile: loadProfile("h100", ".") as DeviceProfile,
        batch: 256,
        optimizerSlots: 2,
      },
      ctx,
    )!;
    expect(ctx.diagnostics.items).toEqual([]);
    const data = priceUniform(
      {
        graph,
        profile: loadProfile("h100", ".") as DeviceProfile,
        devices: 64,
        batch: 256,
        optimizerSlots: 2,
      },
      { d: 64, m: 1 },
    );
    expect(placement.stepTime).toBeLessThanOrEqual(data.stepTime * (1 + 1e-9));
    const table = estimateCost(graph, loadProfile("h100", ".") as DeviceProfile, 64, 256, 2);
    const all = graph.nodes.map(() => table.configs.map((_, k) => k));
    expect(solveDag(layersProblem(graph, table, all))).toBeUndefined();
    expect(solveWithinMemory(graph, table, all, 80e9)).toHaveLength(graph.nodes.length);
  });
});
