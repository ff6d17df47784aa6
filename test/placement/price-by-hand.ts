import type { LayerConfig } from "../../compiler/cost/layer-config.js";
import { layerCost, type LayerCost, type LayerWork } from "../../compiler/cost/layer-cost.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import { edgeCoefficients, redistributionTime } from "../../compiler/cost/redistribution.js";
import type { Graph } from "../../compiler/ir/graph.js";
import { layerWork } from "../../compiler/cost/estimate-cost.js";
import { allGatherTime } from "../../compiler/cost/collectives.js";
import { groupComputeFactors } from "../../compiler/cost/straggler.js";

/**
 * Plans priced by hand, layer by layer, with the cost model's per-layer and per-edge functions only
 * (compiler/cost/README.md's step formulas written out again), never the search's tables, evaluation or DP:
 * what the placement search reports can then be checked against plans it did not build.
 */
export interface Pricing {
  readonly graph: Graph;
  readonly profile: DeviceProfile;
  readonly devices: number;
  readonly batch: number;
  readonly optimizerSlots: number;
}

export interface PricedPlan {
  /** Seconds per step. */
  readonly stepTime: number;
  /** Bytes on each device. */
  readonly memoryPerDevice: readonly number[];
}

const works = new WeakMap<Graph, LayerWork[]>();

function workOf(graph: Graph): LayerWork[] {
  let w = works.get(graph);
  if (!w) {
    w = graph.nodes.map((node) => layerWork(graph, node));
    works.set(graph, w);
  }
  return w;
}

export function fits(plan: PricedPlan, profile: DeviceProfile): boolean {
  return Math.max(...plan.memoryPerDevice) <= profile.memoryBytes;
}

/**
 * A plan without stages: layer v on devices 0..d·m−1 under `configs[v]`. Step = step overhead + Σ (compute +
 * update + own comm + gradient all-reduce) + Σ over edges of the redistribution between the two layouts.
 * An all-data plan on several devices is also priced with ZeRO-1 (each layer's gradient all-reduce a
 * reduce-scatter + all-gather, its update's traffic 1/n plus 2 kernel calls per weight tensor to re-make it,
 * one flat update's kernel calls, optimizer state 1/n), which the planner's default uses when the replicated
 * plan does not fit.
 */
export function priceLayers(p: Pricing, configs: readonly LayerConfig[]): PricedPlan {
  const work = workOf(p.graph);
  const memory = new Array<number>(p.devices).fill(0);
  // A plan on one device pays its own fixed step cost (no peers to wait for), when the profile gives one.
  const used = Math.max(...configs.map((c) => c.d * c.m));
  const all = p.profile.stepOverheadSeconds ?? 0;
  let step = used === 1 ? (p.profile.singleDeviceStepOverheadSeconds ?? all) : all;
  // A plan that splits a layer runs on the plan executor, which costs this much a layer more.
  const layerCount = p.graph.nodes.filter((node) => node.op !== "input").length;
  if (configs.some((c) => c.m > 1)) step += layerCount * (p.profile.planExecutorLayerOverheadSeconds ?? 0);
  const n = p.devices;
  const allData = n > 1 && configs.every((c) => c.d === n && c.m === 1);
  const op = p.profile.opOverheadSeconds ?? 0;
  const ew = p.profile.elementwiseBandwidth ?? 0;
  const straggler = groupComputeFactors(p.profile, n).update;
  let zeroStep = 0;
  let zeroMemory = 0;
  let trainable = false;
  p.graph.nodes.forEach((node, v) => {
    const c = configs[v]!;
    const cost = layerCost(work[v]!, c, p.batch, p.profile, p.optimizerSlots);
    step += cost.compute + cost.update + cost.comm + cost.gradAllReduce;
    for (const u of node.inputs) {
      const co = edgeCoefficients(work[u]!.kind, configs[u]!, work[v]!.kind, c);
      // Among the devices both layers use: across nodes when they span more than one.
      const span = Math.max(configs[u]!.d * configs[u]!.m, c.d * c.m);
      step += redistributionTime(co, work[u]!.outBytes * p.batch, p.profile, span);
    }
    for (let i = 0; i < c.d * c.m; i++) memory[i]! += cost.memory;
    const bytes = work[v]!.trainableBytes;
    zeroMemory += cost.memory - (bytes * p.optimizerSlots * (n - 1)) / n;
    if (!allData || bytes <= 0) return;
    trainable = true;
    const kernels = 2 + 6 * p.optimizerSlots;
    const traffic = ew > 0 ? (3 * kernels * bytes) / n / ew : 0;
    const exchange = 2 * allGatherTime(bytes, n, p.profile);
    zeroStep += (traffic + 4 * op) * straggler + exchange - cost.update - cost.gradAllReduce;
  });
  const plain = { stepTime: step, memoryPerDevice: memory };
  if (!allData || !trainable) return plain;
  const kernels = 2 + 6 * p.optimizerSlots;
  const zero = {
    stepTime: step + zeroStep + kernels * op * straggler,
    memoryPerDevice: new Array<number>(n).fill(zeroMemory),
  };
  // The planner's default (`auto`): ZeRO-1 only where the replicated state does not fit.
  return !fits(plain, p.profile) && fits(zero, p.profile) ? zero : plain;
}

/** Every layer under the same configuration. */
export function priceUniform(p: Pricing, config: LayerConfig): PricedPlan {
  return priceLayers(
    p,
    p.graph.nodes.map(() => config),
  );
}

export interface PricedPipeline extends PricedPlan {
  /** The slowest stage's seconds per micro-batch. */
  readonly bottleneck: number;
}

/**
 * Pipelines of stages with `groupSize` devices each over `microbatches` micro-batches: stage s runs layers
 * [bounds[s], bounds[s+1]) data-parallel on its own devices. A stage's time per micro-batch = its layers'
 * compute + comm (every stage but the last re-runs its forward in backward) + half of each cut it touches (a
 * cut: every tensor crossing it sent whole to the next stage's devices, forward and backward, plus two
 * messages); step = (M + K − 1) · slowest stage + the largest stage's gradient all-reduce and update + the
 * step overhead. Per-layer costs are computed once per pricer, so brute force over partitions stays cheap.
 */
export function pipelinePricer(
  p: Pricing,
  groupSize: number,
  microbatches: number,
): (bounds: readonly number[]) => PricedPipeline {
  const work = workOf(p.graph);
  const nodes = p.graph.nodes;
  const micro = p.batch / microbatches;
  const data: LayerConfig = { d: groupSize, m: 1 };
  const lastUse = nodes.map((_, v) => v);
  nodes.forEach((node, v) => node.inputs.forEach((u) => (lastUse[u] = Math.max(lastUse[u]!, v))));
  const cut = nodes.map((_, i) => {
    let t = 0;
    for (let u = 0; u < i; u++) {
      if (lastUse[u]! < i) continue;
      const co = edgeCoefficients(work[u]!.kind, data, "none", data, false);
      // Between neighbouring stages' groups: 2 · groupSize consecutive devices.
      t += redistributionTime(co, work[u]!.outBytes * micro, p.profile, 2 * groupSize);
      t += 2 * (p.profile.messageLatencySeconds ?? 0);
    }
    return t;
  });
  const cost = (recompute: boolean): LayerCost[] =>
    work.map((w) => layerCost(w, data, micro, p.profile, p.optimizerSlots, p.batch, recompute));
  const inner = cost(true);
  const last = cost(false);
  return (bounds) => {
    const K = bounds.length - 1;
    let bottleneck = 0;
    let grad = 0;
    const memoryPerDevice: number[] = [];
    for (let s = 0; s < K; s++) {
      const start = bounds[s]!;
      const end = bounds[s + 1]!;
      const costs = s === K - 1 ? last : inner;
      let time = (start > 0 ? cut[start]! / 2 : 0) + (end < nodes.length ? cut[end]! / 2 : 0);
      let stageGrad = 0;
      let memory = 0;
      for (let v = start; v < end; v++) {
        time += costs[v]!.compute + costs[v]!.comm;
        stageGrad += costs[v]!.gradAllReduce + costs[v]!.update;
        memory += costs[v]!.memory;
      }
      bottleneck = Math.max(bottleneck, time);
      grad = Math.max(grad, stageGrad);
      for (let i = 0; i < groupSize; i++) memoryPerDevice.push(memory);
    }
    while (memoryPerDevice.length < p.devices) memoryPerDevice.push(0);
    // Stages run on the plan executor (a 1-stage "pipeline" of data×g layers does not).
    const executor =
      K > 1
        ? p.graph.nodes.filter((node) => node.op !== "input").length *
          (p.profile.planExecutorLayerOverheadSeconds ?? 0)
        : 0;
    const stepTime =
      (microbatches + K - 1) * bottleneck + grad + (p.profile.stepOverheadSeconds ?? 0) + executor;
    return { stepTime, bottleneck, memoryPerDevice };
  };
}

/** Every way to cut `layers` positions into `stages` non-empty contiguous stages, as bounds [0, …, layers]. */
export function* contiguousPartitions(layers: number, stages: number): Generator<number[]> {
  const bounds = [0];
  function* extend(start: number, left: number): Generator<number[]> {
    if (left === 1) {
      yield [...bounds, layers];
      return;
    }
    for (let end = start + 1; end <= layers - left + 1; end++) {
      bounds.push(end);
      yield* extend(end, left - 1);
      bounds.pop();
    }
  }
  yield* extend(0, stages);
}

/** Every assignment of the given configurations to the graph's layers (K^L of them: small graphs only). */
export function* everyAssignment(
  layers: number,
  configs: readonly LayerConfig[],
): Generator<readonly LayerConfig[]> {
  const index = new Array<number>(layers).fill(0);
  for (;;) {
    yield index.map((i) => configs[i]!);
    let v = 0;
    while (v < layers && ++index[v]! === configs.length) index[v++] = 0;
    if (v === layers) return;
  }
}

/** The search's pipeline objective: among the fitting partitions into `stages`, those with the smallest bottleneck. */
export interface BestPipelines {
  readonly bottleneck: number;
  /** The fastest and slowest step among those partitions (equal unless bottlenecks tie). */
  readonly fastest: number;
  readonly slowest: number;
  readonly partitions: number;
}

/**
 * Brute force over every contiguous partition into `stages` stages of `groupSize` devices: undefined when none
 * fits in memory. Bottlenecks within a relative 1e-9 count as tied.
 */
export function bestPipelinesByHand(
  p: Pricing,
  stages: number,
  groupSize: number,
  microbatches: number,
): BestPipelines | undefined {
  const price = pipelinePricer(p, groupSize, microbatches);
  const priced: PricedPipeline[] = [];
  for (const bounds of contiguousPartitions(p.graph.nodes.length, stages)) {
    const plan = price(bounds);
    if (fits(plan, p.profile)) priced.push(plan);
  }
  if (priced.length === 0) return undefined;
  const bottleneck = Math.min(...priced.map((x) => x.bottleneck));
  const best = priced.filter((x) => x.bottleneck <= bottleneck * (1 + 1e-9));
  const steps = best.map((x) => x.stepTime);
  return { bottleneck, fastest: Math.min(...steps), slowest: Math.max(...steps), partitions: priced.length };
}

/** C(n, k): how many partitions `contiguousPartitions(n + 1, k + 1)` yields. */
export function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return Math.round(c);
}
