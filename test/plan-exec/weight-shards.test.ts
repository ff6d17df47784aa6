import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { initBackend } from "../../runtime/backend/index.js";
import { channelBounds, concatAxis, sliceAxis } from "../../runtime/plan-exec/weight-shards.js";
import { stagesOf } from "../../runtime/plan-exec/index.js";
import { RESIDUAL, compilePlan } from "./plan-fixtures.js";

beforeAll(async () => {
  await initBackend("wasm");
});

it("shards cut along any axis join back into the whole tensor", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
      fc.nat(),
      fc.integer({ min: 1, max: 4 }),
      (shape, a, m) => {
        const axis = a % shape.length;
        const size = shape.reduce((x, y) => x * y, 1);
        const data = Float32Array.from({ length: size }, (_, i) => i);
        const parts = Array.from({ length: m }, (_, k) =>
          sliceAxis(data, shape, axis, ...channelBounds(shape[axis]!, m, k)),
        );
        expect(parts.reduce((n, p) => n + p.length, 0)).toBe(data.length);
        expect(Array.from(concatAxis(parts, shape, axis))).toEqual(Array.from(data));
        // Element (i, j, ...) of piece k is the whole's element with the axis index offset by the piece's start.
        if (m <= shape[axis]!) {
          const [lo] = channelBounds(shape[axis]!, m, m - 1);
          const inner = shape.slice(axis + 1).reduce((x, y) => x * y, 1);
          expect(parts[m - 1]![0]).toBe(lo * inner);
        }
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
