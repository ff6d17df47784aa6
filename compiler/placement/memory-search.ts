import type { Graph } from "../ir/graph.js";
import type { CostTable } from "../cost/estimate-cost.js";
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
  // Device 0 runs every layer (each uses devices 0..d·m−1): no plan needs less than each layer's least.
  let least = 0;
  allowed.forEach((ks, v) => (least += Math.min(...ks.map((k) => table.layer[v]![k]!.memory))));
  if (least > capacity) return undefined;
  let cache = new Map<number, Float64Array[]>();
  let choices = allowed;
  const solve = (lambda: number) => solveDag(layersProblem(graph, table, choices, lambda, cache));
  let free = solve(0);
  // A frontier too wide for the exact table (many parallel branches): search the all-device configurations,
  // then only plain data and model parallel, rather than give up.
  for (const keep of [
    (k: number) => table.configs[k]!.d * table.configs[k]!.m === table.devices,
    (k: number) => k === 0 || (table.configs[k]!.d === 1 && table.configs[k]!.m === table.devices),
  ]) {
    if (free) break;
    choices = allowed.map((ks) => ks.filter(keep));
    cache = new Map();
    free = solve(0);
  }
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
