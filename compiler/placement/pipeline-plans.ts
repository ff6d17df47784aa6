import { type DeviceProfile, linkFor, planExecutorOverhead } from "../cost/profile.js";
import { edgeCoefficients } from "../cost/redistribution.js";
import { kindUnder } from "../cost/split-kind.js";
import type { Graph } from "../ir/graph.js";
import { estimateCost, type CostTable } from "../cost/estimate-cost.js";
import { solveDag } from "./frontier-dp.js";
import { layerCount } from "./layers-problem.js";
import { noHints, type HintConstraints } from "./hints.js";
import { partitionStages, type Partition } from "./pipeline-partition.js";
import type { MicrobatchOrder } from "../plan/schedule-types.js";

/**
 * A pipelined plan: K stages of g devices each, each layer on a split of its stage's g devices (d·m = g):
 * data×g, or the splits the search prefers or hints ask for (`inStageAssignments`).
 */
export interface PipelinePlan {
  readonly stages: number;
  readonly groupSize: number;
  readonly microbatches: number;
  readonly partition: Partition;
  /** Per node: its configuration index in `table` (0 is data×g). */
  readonly assignment: readonly number[];
  /** Per node: seconds per micro-batch to bring its inputs to its configuration (0 between data×g layers). */
  readonly redistribution: readonly number[];
  /** Costs per micro-batch (compute, comm) with memory for the whole batch in flight (GPipe keeps it all). */
  readonly table: CostTable;
  /** The same for the last stage, which runs forward and backward once (no recompute). */
  readonly lastTable: CostTable;
  /** Per cut position: forward + backward send/recv seconds per micro-batch. */
  readonly cut: readonly number[];
  readonly cutBytes: readonly number[];
}

export interface PipelineRequest {
  readonly stages: number;
  readonly groupSize: number;
  readonly microbatches: number;
  /** How stages order micro-batches (default 1F1B): how many are in flight on each stage. */
  readonly order?: MicrobatchOrder;
}

/**
 * Cost tables already priced, per graph and profile: `auto`'s search and the pipeline baseline ask for the same
 * stage layouts, and at 10,000 layers a table is a tenth of a second. `estimateCost` is a pure function of
 * its arguments and passes never change a graph, so a table is reused as is.
 */
const priced = new WeakMap<Graph, WeakMap<DeviceProfile, Map<string, CostTable>>>();

function pricedTable(
  graph: Graph,
  profile: DeviceProfile,
  devices: number,
  batch: number,
  optimizerSlots: number,
  activationBatch: number,
  recompute: boolean,
): CostTable {
  let byProfile = priced.get(graph);
  if (!byProfile) priced.set(graph, (byProfile = new WeakMap()));
  let tables = byProfile.get(profile);
  if (!tables) byProfile.set(profile, (tables = new Map()));
  const key = `${devices} ${batch} ${optimizerSlots} ${activationBatch} ${recompute}`;
  let table = tables.get(key);
  if (!table) {
    table = estimateCost(graph, profile, devices, batch, optimizerSlots, activationBatch, recompute);
    tables.set(key, table);
  }
  return table;
}

/** The step time of the best contiguous partition into `stages` stages of `groupSize` devices each. */
export function planPipeline(
  graph: Graph,
  profile: DeviceProfile,
  batch: number,
  optimizerSlots: number,
  hints: HintConstraints,
  request: PipelineRequest,
  /** A step time already reached: candidates that cannot beat it are not partitioned. */
  bound = Infinity,
): PipelinePlan | undefined {
  const { stages, groupSize: g, microbatches: M } = request;
  const n = graph.nodes.length;
  if (stages > n) return undefined;
  // Every stage but the last re-runs its forward in backward (runtime/plan-exec/stage-runner.ts): it keeps
  // its input per micro-batch in flight (the stash below) and one micro-batch's activations while it
  // recomputes; the last stage runs each micro-batch's forward and backward together.
  const table = pricedTable(graph, profile, g, batch / M, optimizerSlots, batch / M, true);
  const lastTable = pricedTable(graph, profile, g, batch / M, optimizerSlots, batch / M, false);
  const cuts = cutCosts(graph, profile, table);
  let best: PipelinePlan | undefined;
  // The per-layer search below is the costly candidate: skip it when even each layer's fastest allowed split,
  // shared equally between the stages, cannot beat the best step already known (the bound in pipelineWith).
  const canBeat = (allowed: readonly (readonly number[])[]) => {
    let work = 0;
    allowed.forEach((ks, v) => {
      let least = Infinity;
      for (const k of ks) {
        const [c, l] = [table.layer[v]![k]!, lastTable.layer[v]![k]!];
        least = Math.min(least, c.compute + c.comm, l.compute + l.comm);
      }
      work += least;
    });
    return (M + stages - 1) * (work / stages) < Math.min(bound, best?.partition.stepTime ?? Infinity);
  };
  for (const assignment of inStageAssignments(graph, table, hints, M, canBeat)) {
    const limit = Math.min(bound, best?.partition.stepTime ?? Infinity);
    const plan = pipelineWith(graph, profile, request, hints, table, lastTable, assignment, cuts, limit);
    if (plan && (!best || plan.partition.stepTime < best.partition.stepTime)) best = plan;
  }
  return best;
}

/**
 * The pipeline of `request` with the in-stage configurations `assign` gives (indices into the stage table's
 * configurations), priced exactly as the search prices its own: for plans written by hand (a Megatron-LM
 * tensor × pipeline × data grid) to be compared with the search's.
 */
export function priceStagedPlan(
  graph: Graph,
  profile: DeviceProfile,
  batch: number,
  optimizerSlots: number,
  request: PipelineRequest,
  assign: (table: CostTable) => readonly number[],
): PipelinePlan | undefined {
  const M = request.microbatches;
  const g = request.groupSize;
  const table = pricedTable(graph, profile, g, batch / M, optimizerSlots, batch / M, true);
  const lastTable = pricedTable(graph, profile, g, batch / M, optimizerSlots, batch / M, false);
  const cuts = cutCosts(graph, profile, table);
  return pipelineWith(graph, profile, request, noHints(graph), table, lastTable, assign(table), cuts);
}

/**
 * Per cut position (between node i − 1 and i): seconds of forward + backward sends per micro-batch of the
 * tensors crossing it (a tensor crossing several cuts is forwarded across each), and their bytes.
 */
function cutCosts(
  graph: Graph,
  profile: DeviceProfile,
  table: CostTable,
): { readonly cut: number[]; readonly cutBytes: number[] } {
  const n = graph.nodes.length;
  const message = profile.messageLatencySeconds ?? 0;
  const k = 0; // enumerateConfigs(g)[0] is data×g
  // Two neighbouring stages of g devices each span 2g device ids: across nodes when that exceeds one.
  const link = linkFor(profile, 2 * table.devices);
  const lastUse = graph.nodes.map((_, v) => v);
  graph.nodes.forEach((node, v) => node.inputs.forEach((u) => (lastUse[u] = Math.max(lastUse[u]!, v))));
  const cut = new Array<number>(n + 1).fill(0);
  const cutBytes = new Array<number>(n + 1).fill(0);
  const open: number[] = [];
  for (let i = 1; i < n; i++) {
    open.push(i - 1);
    let t = 0;
    let bytes = 0;
    for (let j = open.length - 1; j >= 0; j--) {
      const u = open[j]!;
      if (lastUse[u]! < i) {
        open.splice(j, 1);
        continue;
      }
      const co = edgeCoefficients(
        kindUnder(table.work[u]!.kind, table.work[u]!.heads, table.configs[k]!.m),
        table.configs[k]!,
        "none",
        table.configs[k]!,
        false,
      );
      const size = table.work[u]!.outBytes * table.batch;
      // One message each way per tensor per micro-batch, between neighbouring stages' groups.
      t += (co.fraction * size) / link.bandwidth + co.steps * link.latency + 2 * message;
      bytes += size;
    }
    cut[i] = t;
    cutBytes[i] = bytes;
  }
  return { cut, cutBytes };
}

/** The pipeline of `request` with each layer's configuration inside its stage fixed by `assignment`. */
function pipelineWith(
  graph: Graph,
  profile: DeviceProfile,
  request: PipelineRequest,
  hints: HintConstraints,
  table: CostTable,
  lastTable: CostTable,
  assignment: readonly number[],
  { cut, cutBytes }: { readonly cut: readonly number[]; readonly cutBytes: readonly number[] },
  bound = Infinity,
): PipelinePlan | undefined {
  const { stages, groupSize: g, microbatches: M } = request;
  const k = 0; // enumerateConfigs(g)[0] is data×g
  // The step's fixed cost, and the plan executor's when the plan has stages or splits a layer.
  const onExecutor = stages > 1 || assignment.some((a) => table.configs[a]!.m > 1);
  const fixed =
    (profile.stepOverheadSeconds ?? 0) + planExecutorOverhead(profile, layerCount(graph), onExecutor);
  const half = cut.map((t) => t / 2);
  // A split layer's redistribution from its inputs is its own time (zero between data×g layers).
  const uniform = assignment.every((a) => a === k);
  const redistribution = graph.nodes.map((node, v) =>
    uniform ? 0 : node.inputs.reduce((t, u) => t + table.edgeTime(u, assignment[u]!, v, assignment[v]!), 0),
  );
  const at = (t: CostTable, v: number) => t.layer[v]![assignment[v]!]!;
  const time = graph.nodes.map((_, v) => at(table, v).compute + at(table, v).comm + redistribution[v]!);
  const lastTime = graph.nodes.map(
    (_, v) => at(lastTable, v).compute + at(lastTable, v).comm + redistribution[v]!,
  );
  // No partition's slowest stage is faster than an equal share of the work: skip what cannot beat `bound`.
  let work = 0;
  for (let v = 0; v < time.length; v++) work += Math.min(time[v]!, lastTime[v]!);
  if ((M + stages - 1) * (work / stages) >= bound) return undefined;
  const partition = partitionStages({
    time,
    lastTime,
    memory: graph.nodes.map((_, v) => at(table, v).memory),
    gradAllReduce: graph.nodes.map((_, v) => at(table, v).gradAllReduce + at(table, v).update),
    cutForward: half,
    cutBackward: half,
    stageHint: hints.stage,
    stages,
    microbatches: M,
    memoryCapacity: profile.memoryBytes,
    stash: {
      bytes: cutBytes,
      inFlight: (s) => (request.order === "gpipe" ? M : Math.min(stages - s, M)),
    },
    // A step is (M + K − 1) bottlenecks, a gradient all-reduce and the fixed overhead: a bottleneck at this
    // limit cannot beat `bound`.
    bottleneckLimit: (bound - fixed) / (M + stages - 1),
  });
  if (!partition) return undefined;
  const withStep = { ...partition, stepTime: partition.stepTime + fixed };
  return {
    stages,
    groupSize: g,
    microbatches: M,
    partition: withStep,
    assignment,
    redistribution,
    table,
    lastTable,
    cut,
    cutBytes,
  };
}

/** The configurations of `table` (on a stage's g devices) that use all g devices: data×g first. */
export function stageConfigs(table: CostTable): number[] {
  return table.configs.flatMap((c, k) => (c.d * c.m === table.devices ? [k] : []));
}

/**
 * Candidate configurations of each layer inside its stage (Megatron-LM's tensor × pipeline × data grid):
 * every uniform split of the stage's g devices the hints allow (data×g first), and, among the splits of the stage's g devices that each layer's
 * hints allow, the per-layer DP's choice for the whole graph on g devices — M micro-batches of compute,
 * communication and redistribution plus one step's update and gradient all-reduce, the step the pipeline
 * runs. The caller partitions each and keeps the faster pipeline. Empty when a layer has no choice. The
 * uniform grids come first, so that the caller's best so far can rule the per-layer search out.
 */
export function* inStageAssignments(
  graph: Graph,
  table: CostTable,
  hints: HintConstraints,
  microbatches: number,
  /** Asked, once the uniform grids are out, whether the per-layer search could still pay (default yes). */
  worthSearching: (allowed: readonly (readonly number[])[]) => boolean = () => true,
): Generator<number[]> {
  const splits = stageConfigs(table);
  const allowed = graph.nodes.map((_, v) => splits.filter((k) => hints.allows[v]!(table.configs[k]!)));
  if (allowed.some((a) => a.length === 0)) return;
  let uniform = 0;
  // Every uniform grid the hints allow (data×g first, then Megatron's tensor × data splits of the stage).
  for (const k of splits) {
    if (!allowed.every((a) => a.includes(k))) continue;
    uniform++;
    yield allowed.map(() => k);
  }
  if (allowed.every((a) => a.length === 1)) {
    if (uniform === 0) yield allowed.map((a) => a[0]!);
    return;
  }
  if (!worthSearching(allowed)) return;
  const M = microbatches;
  const solved = solveDag({
    inputs: graph.nodes.map((node) => node.inputs),
    allowed,
    unary: (v, k) => {
      const c = table.layer[v]![k]!;
      return M * (c.compute + c.comm) + c.update + c.gradAllReduce;
    },
    edge: (u, ku, v, kv) => M * table.edgeTime(u, ku, v, kv),
  });
  // A frontier too wide for the exact DP: each layer's first allowed split still honours the hints.
  yield solved?.assignment ?? allowed.map((a) => a[0]!);
}

/** Stage counts worth trying on n devices: every divisor (stages of n/K devices) and n itself. */
export function stageCounts(devices: number, layers: number, minStages: number): number[] {
  const out: number[] = [];
  for (let K = Math.max(2, minStages); K <= Math.min(devices, layers); K++) {
    if (devices % K === 0 || K === Math.min(devices, layers)) out.push(K);
  }
  return out;
}

export interface StageLayout {
  readonly stages: number;
  readonly groupSize: number;
}

/**
 * The pipelines tried for these stage counts on n devices: K stages of one device each, and (`wideStages`,
 * auto only) of n/K devices each when K divides n. Auto's search and the check of `@stage` hints
 * (`stage-hints.ts`) both read this list, so a layout the check accepts is one the search tries.
 */
export function pipelineLayouts(
  devices: number,
  counts: readonly number[],
  wideStages: boolean,
): StageLayout[] {
  const out: StageLayout[] = [];
  for (const K of counts) {
    out.push({ stages: K, groupSize: 1 });
    if (wideStages && devices % K === 0 && devices / K > 1) out.push({ stages: K, groupSize: devices / K });
  }
  return out;
}
