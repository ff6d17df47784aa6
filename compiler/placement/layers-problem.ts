import { consumers, type Graph } from "../ir/graph.js";
import type { CostTable } from "../cost/estimate-cost.js";
import { planExecutorOverhead, stepOverhead } from "../cost/profile.js";
import { kindUnder, writesPartialSums } from "../cost/split-kind.js";
import type { DagProblem } from "./frontier-dp.js";

/** One layer's share of a plan without pipeline stages, in seconds and bytes. */
export interface LayerBreakdown {
  readonly compute: number;
  /** Its own comm + its gradient all-reduce + redistributing its inputs. */
  readonly comm: number;
  readonly memory: number;
  /** Gradient bytes it all-reduces per device. */
  readonly gradBytes: number;
  /** Activation bytes moved per device into this layer (forward + backward). */
  readonly movedBytes: number;
}

export interface LayersEvaluation {
  readonly stepTime: number;
  readonly perLayer: readonly LayerBreakdown[];
  readonly memoryPerDevice: readonly number[];
}

/**
 * The placement of a plan without stages as a pairwise problem: unary = compute + update + comm + gradient all-reduce
 * (+ λ · memory while searching under a memory limit), edge = redistribution.
 */
export function layersProblem(
  graph: Graph,
  table: CostTable,
  allowed: readonly (readonly number[])[],
  lambda = 0,
  edgeCache?: Map<number, Float64Array[]>,
): DagProblem {
  return {
    ...(edgeCache ? { edgeCache } : {}),
    inputs: graph.nodes.map((n) => n.inputs),
    allowed,
    unary: (v, k) => {
      const c = table.layer[v]![k]!;
      return c.compute + c.update + c.comm + c.gradAllReduce + lambda * c.memory;
    },
    edge: (u, ku, v, kv) => table.edgeTime(u, ku, v, kv),
    edgeMatrix: (u, v) => ({ matrix: table.edgeMatrix(u, v), K: table.configs.length }),
  };
}

/** Device i's memory: the layers whose device group (devices 0..d·m−1) includes it. */
export function memoryPerDevice(table: CostTable, assignment: readonly number[]): number[] {
  const out = new Array<number>(table.devices).fill(0);
  assignment.forEach((k, v) => {
    const c = table.configs[k]!;
    const mem = table.layer[v]![k]!.memory;
    for (let i = 0; i < c.d * c.m; i++) out[i] = out[i]! + mem;
  });
  return out;
}

/**
 * Activation bytes an edge moves per device and step under these configurations, split into partial sums
 * added up by an all-reduce (`summed`: a row-parallel or head-split producer) and the rest (`moved`: gathers,
 * slices' gradients, pipeline sends).
 */
export function edgeBytes(
  table: CostTable,
  u: number,
  ku: number,
  v: number,
  kv: number,
): { moved: number; summed: number } {
  const from = table.configs[ku]!;
  const work = table.work[u]!;
  const co = table.edgeCoefficientsAt(u, ku, v, kv);
  const size = work.outBytes * table.batch;
  const n = from.d * from.m;
  const partial = writesPartialSums(kindUnder(work.kind, work.heads, from.m), from.m);
  const summed = partial ? ((2 * (n - 1)) / n) * size : 0;
  return { moved: co.fraction * size - summed, summed };
}

/** `moved + summed` of `edgeBytes`, without splitting them. */
export function movedBytes(table: CostTable, u: number, ku: number, v: number, kv: number): number {
  return table.edgeCoefficientsAt(u, ku, v, kv).fraction * table.work[u]!.outBytes * table.batch;
}

export function evaluateLayers(
  graph: Graph,
  table: CostTable,
  assignment: readonly number[],
): LayersEvaluation {
  // The step's fixed cost is the same for every assignment on more than one device: it shifts the optimum's
  // value, never its choice. A plan on one device has its own (no barriers); auto compares it as a candidate.
  let used = 1;
  let split = false;
  for (const k of assignment) {
    used = Math.max(used, table.configs[k]!.d * table.configs[k]!.m);
    split ||= table.configs[k]!.m > 1;
  }
  // A plan that splits a layer runs on the plan executor, layer by layer: the same for every such plan, so it
  // too leaves the search's choice among them alone, but decides between them and the all-data plan.
  let stepTime =
    stepOverhead(table.profile, used) + planExecutorOverhead(table.profile, layerCount(graph), split);
  const perLayer = graph.nodes.map((node, v) => {
    const k = assignment[v]!;
    const c = table.layer[v]![k]!;
    let edges = 0;
    let moved = 0;
    for (const u of node.inputs) {
      edges += table.edgeTime(u, assignment[u]!, v, k);
      moved += movedBytes(table, u, assignment[u]!, v, k);
    }
    const comm = c.comm + c.gradAllReduce + edges;
    const compute = c.compute + c.update;
    stepTime += compute + comm;
    return { compute, comm, memory: c.memory, gradBytes: c.gradBytes, movedBytes: moved };
  });
  return { stepTime, perLayer, memoryPerDevice: memoryPerDevice(table, assignment) };
}

/**
 * `evaluateLayers` remembered by assignment, for one search: its candidates are evaluated when compared and the
 * chosen one again when placed, and at 10,000 layers each evaluation is a pass over every edge. Keyed by the
 * assignment's contents, so two equal plans found separately share one evaluation.
 */
export function evaluationsOf(
  graph: Graph,
  table: CostTable,
): (assignment: readonly number[]) => LayersEvaluation {
  const known = new Map<string, LayersEvaluation>();
  return (assignment) => {
    const key = assignment.join();
    let evaluation = known.get(key);
    if (!evaluation) known.set(key, (evaluation = evaluateLayers(graph, table, assignment)));
    return evaluation;
  };
}

/** The best other configuration for layer v with every other layer kept, and how much slower the plan gets. */
export function runnerUp(
  graph: Graph,
  table: CostTable,
  problem: DagProblem,
  assignment: readonly number[],
  v: number,
  users: readonly (readonly number[])[] = consumers(graph),
  /** Whether the plan runs on the executor, and what that costs: a caller asking every layer's runner-up
   * gives it, counted once (each count is a pass over the graph: 10,000 passes at 10,000 layers otherwise). */
  plan: ExecutorCounts = executorCounts(graph, table, assignment),
): { k: number; extra: number; executor: number } | undefined {
  // Changing one layer can move the whole plan onto the plan executor, or off it.
  const own = table.configs[assignment[v]!]!.m > 1 ? 1 : 0;
  const local = (k: number): number => {
    let cost = problem.unary(v, k);
    for (const u of graph.nodes[v]!.inputs) cost += problem.edge(u, assignment[u]!, v, k);
    for (const w of users[v]!) cost += problem.edge(v, k, w, assignment[w]!);
    return cost;
  };
  const chosen = local(assignment[v]!);
  let best: { k: number; extra: number; executor: number } | undefined;
  for (const k of problem.allowed[v]!) {
    if (k === assignment[v]) continue;
    const after = plan.splitLayers - own + (table.configs[k]!.m > 1 ? 1 : 0);
    const executor = ((after > 0 ? 1 : 0) - (plan.splitLayers > 0 ? 1 : 0)) * plan.executorCost;
    const extra = local(k) - chosen + executor;
    if (best === undefined || extra < best.extra) best = { k, extra, executor };
  }
  return best;
}

/** How many layers `assignment` splits (model degree > 1), and what the plan executor adds to a step. */
export interface ExecutorCounts {
  readonly splitLayers: number;
  readonly executorCost: number;
}

export function executorCounts(
  graph: Graph,
  table: CostTable,
  assignment: readonly number[],
): ExecutorCounts {
  let splitLayers = 0;
  for (const k of assignment) if (table.configs[k]!.m > 1) splitLayers++;
  return { splitLayers, executorCost: planExecutorOverhead(table.profile, layerCount(graph), true) };
}

/** The graph's layers that train or compute, its inputs left out: what the plan executor runs one by one. */
export function layerCount(graph: Graph): number {
  let n = 0;
  for (const node of graph.nodes) if (node.op !== "input") n++;
  return n;
}
