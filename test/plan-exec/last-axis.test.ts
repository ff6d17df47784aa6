import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { initBackend } from "../../runtime/backend/index.js";
import { channelBounds, concatLastAxis, sliceLastAxis } from "../../runtime/plan-exec/last-axis.js";
import { stagesOf } from "../../runtime/plan-exec/index.js";
import { RESIDUAL, compilePlan } from "./plan-fixtures.js";

beforeAll(async () => {
  await initBackend("wasm");
});

it("shards cut along the last axis join back into the whole tensor", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 4 }),
      (outer, last, m) => {
        const data = Float32Array.from({ length: outer * last }, (_, i) => i);
        const parts = Array.from({ length: m }, (_, k) =>
          sliceLastAxis(data, [outer, last], ...channelBounds(last, m, k)),
        );
        expect(parts.reduce((n, p) => n + p.length, 0)).toBe(data.length);
        expect(Array.from(concatLastAxis(parts, outer))).toEqual(Array.from(data));
      },
    ),
  );
});

it("a pipelined residual net's stages pass the skip tensors they need", () => {
  const { plan } = compilePlan(RESIDUAL, { strategy: "pipeline", devices: 3, microbatches: 2 }, 1);
  const stages = stagesOf(plan);
  expect(stages.map((s) => s.devices)).toEqual([[0], [1], [2]]);
  const produced = new Map(plan.layers.map((l) => [l.name, l.placement.stage]));
  for (const s of stages) {
    for (const t of s.inputs) expect(produced.get(t)!).toBeLessThan(s.stage);
    const reads = s.layers.flatMap((l) => l.inputs).filter((i) => produced.get(i)! < s.stage);
    expect(new Set(reads)).toEqual(new Set(s.inputs));
  }
  // Every tensor a later stage reads is sent to it.
  for (const s of stages)
    for (const t of s.inputs) {
      const from = stages[produced.get(t)!]!;
      expect(from.outputs.find((o) => o.tensor === t)?.toStages).toContain(s.stage);
    }
});
