import type { Graph } from "../ir/graph.js";
import type { CostTable } from "../passes/estimate-cost.js";
import { solveDag } from "./frontier-dp.js";
import { layersProblem, memoryPerDevice } from "./layers-problem.js";

/**
 * The fastest per-layer plan whose busiest device fits in `capacity` bytes. Without a memory limit the DP is
 * exact; when the fastest plan overflows, a sum constraint is no longer separable, so the search prices memory
 * with a Lagrange multiplier λ (unary + λ · bytes), bisecting λ to the smallest price whose plan fits. That
 * plan is optimal among plans using at most its memory; the caller still compares it with every fitting
 * baseline, so `auto` stays at least as good as each of them.
 */
export function solveWithinMemory(
  graph: Graph,
  table: CostTable,
  allowed: readonly (readonly number[])[],
  capacity: number,
): number[] | undefined {
  const fits = (a: readonly number[]) => Math.max(...memoryPerDevice(table, a)) <= capacity;
  const cache = new Map<number, Float64Array[]>();
  const solve = (lambda: number) => solveDag(layersProblem(graph, table, allowed, lambda, cache));
  const free = solve(0);
  if (!free) return undefined;
  if (fits(free.assignment)) return free.assignment;
  // Seconds per byte: start where a device's worth of memory costs about as much as the free plan's step.
  let lo = 0;
  let hi = Math.max(free.cost, 1e-9) / capacity;
  let found: number[] | undefined;
  for (let i = 0; i < 40; i++) {
    const s = solve(hi);
    if (s && fits(s.assignment)) {
      found = s.assignment;
      break;
    }
    lo = hi;
    hi *= 8;
  }
  if (!found) return undefined;
  for (let i = 0; i < 8; i++) {
    const mid = (lo + hi) / 2;
    const s = solve(mid);
    if (s && fits(s.assignment)) {
      hi = mid;
      found = s.assignment;
    } else lo = mid;
  }
  return found;
}
