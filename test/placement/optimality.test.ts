import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadProfile } from "../../compiler/cost/profiles.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import { estimateCost } from "../../compiler/cost/estimate-cost.js";
import { assignmentCost, solveDag } from "../../compiler/placement/frontier-dp.js";
import { layersProblem } from "../../compiler/placement/layers-problem.js";
import { partitionStages } from "../../compiler/placement/pipeline-partition.js";
import { splitKind } from "../../compiler/cost/split-kind.js";
import { denseLayer, handGraph, type LayerSpec } from "./graphs.js";

const h100 = loadProfile("h100", ".") as DeviceProfile;
const cpu = loadProfile("cpu", ".") as DeviceProfile;

/** Every assignment of configurations, by counting in base K. */
function bruteForce(problem: ReturnType<typeof layersProblem>): number {
  const n = problem.inputs.length;
  const sizes = problem.allowed.map((a) => a.length);
  const index = new Array<number>(n).fill(0);
  let best = Infinity;
  for (;;) {
    best = Math.min(
      best,
      assignmentCost(
        problem,
        index.map((i, v) => problem.allowed[v]![i]!),
      ),
    );
    let v = 0;
    while (v < n && ++index[v]! === sizes[v]) index[v++] = 0;
    if (v === n) return best;
  }
}

const widths = fc.integer({ min: 1, max: 4096 });

/**
 * A random chain or a chain with residual adds and a projection branch, at most 8 layers; dense → relu → dense
 * runs make column → row pairs, and attention layers (heads that some degrees do not divide) write partial sums.
 */
const graphs = fc
  .record({
    widths: fc.array(widths, { minLength: 2, maxLength: 6 }),
    kinds: fc.array(fc.constantFrom("dense", "relu", "flatten", "add", "attention", "layernorm"), {
      minLength: 6,
      maxLength: 6,
    }),
    heads: fc.constantFrom(1, 2, 3, 4, 6),
    width0: widths,
  })
  .map(({ widths: ws, kinds, width0, heads }) => {
    const layers: LayerSpec[] = [{ op: "input", inputs: [], width: width0 }];
    let width = width0;
    ws.forEach((w, i) => {
      const prev = layers.length - 1;
      const kind = kinds[i]!;
      if (kind === "add" && prev >= 2 && layers[prev - 1]!.width === width) {
        layers.push({ op: "add", inputs: [prev - 1, prev], width, flops: width });
      } else if (kind === "add" && prev >= 1) {
        // A branch: a projection of the layer before, added to the current one.
        layers.push(denseLayer([prev - 1], layers[prev - 1]!.width, width));
        layers.push({ op: "add", inputs: [prev, prev + 1], width, flops: width });
      } else if (kind === "attention") {
        // Four width × width projections; the T × T products folded into the flops.
        const params = 4 * width * width + 4 * width;
        layers.push({ op: "attention", inputs: [prev], width, attrs: { heads }, params, flops: 3 * params });
      } else if (kind === "layernorm") {
        layers.push({ op: "layernorm", inputs: [prev], width, params: 2 * width, flops: 8 * width });
      } else if (kind === "relu" || kind === "flatten") {
        layers.push({ op: kind, inputs: [prev], width, flops: kind === "relu" ? width : 0 });
      } else {
        layers.push(denseLayer([prev], width, w));
        width = w;
      }
    });
    return layers.slice(0, 8);
  });

describe("per-layer search is exact under the cost model", () => {
  it("draws graphs with attention and column → row dense pairs", () => {
    const kinds = fc.sample(graphs, { numRuns: 150, seed: 4 }).map((layers) => {
      const graph = handGraph(layers);
      return graph.nodes.map((n) => splitKind(graph, n));
    });
    expect(kinds.filter((k) => k.includes("heads")).length).toBeGreaterThan(10);
    expect(kinds.filter((k) => k.includes("row")).length).toBeGreaterThan(10);
  });

  it("equals brute force on random chains and branching graphs (2–4 devices)", () => {
    fc.assert(
      fc.property(
        graphs,
        fc.constantFrom(2, 3, 4),
        fc.constantFrom(h100, cpu),
        fc.integer({ min: 1, max: 512 }),
        (layers, devices, profile, batch) => {
          const graph = handGraph(layers);
          const table = estimateCost(graph, profile, devices, batch, 2);
          const allowed = graph.nodes.map(() => table.configs.map((_, k) => k));
          // Keep brute force small: at most ~50k assignments.
          if (table.configs.length ** graph.nodes.length > 60_000) return;
          const problem = layersProblem(graph, table, allowed);
          const solution = solveDag(problem)!;
          const brute = bruteForce(problem);
          expect(solution.cost).toBeCloseTo(brute, 12);
          expect(assignmentCost(problem, solution.assignment)).toBeCloseTo(solution.cost, 12);
        },
      ),
      { numRuns: 150, seed: 4 },
    );
  });
});

describe("stage partition is exact", () => {
  it("equals brute force over all cut positions, and under a bottleneck limit finds it exactly when below", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 2, maxLength: 9 }),
        fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.option(fc.double({ min: 0, max: 40, noNaN: true })),
        (time, cuts, stages, withLast, limit) => {
          const n = time.length;
          if (stages > n) return;
          const cut = [0, ...cuts.slice(0, n)];
          // The last stage does not recompute its forward: cheaper per node there, when given.
          const lastTime = withLast ? time.map((t, i) => t * (0.5 + ((i * 7) % 5) / 10)) : time;
          const p = {
            time,
            ...(withLast ? { lastTime } : {}),
            memory: time.map(() => 1),
            gradAllReduce: time.map(() => 0),
            cutForward: cut,
            cutBackward: cut,
            stageHint: time.map(() => -1),
            stages,
            microbatches: 4,
            memoryCapacity: 100,
            ...(limit !== null ? { bottleneckLimit: limit } : {}),
          };
          const found = partitionStages(p);
          let best = Infinity;
          const recurse = (start: number, left: number, worst: number) => {
            if (left === 0) {
              if (start === n) best = Math.min(best, worst);
              return;
            }
            for (let end = start + 1; end <= n - left + 1; end++) {
              let t = cut[end] !== undefined && end < n ? cut[end]! : 0;
              if (start > 0) t += cut[start]!;
              for (let v = start; v < end; v++) t += (end === n ? lastTime : time)[v]!;
              recurse(end, left - 1, Math.max(worst, t));
            }
          };
          recurse(0, stages, 0);
          // A limit the best partition reaches: nothing is sought (the caller already has a faster step).
          if (limit !== null && best >= limit) {
            expect(found).toBeUndefined();
            return;
          }
          const result = found!;
          expect(result.bottleneck).toBeCloseTo(best, 12);
          expect(result.bounds[0]).toBe(0);
          expect(result.bounds[stages]).toBe(n);
        },
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});
