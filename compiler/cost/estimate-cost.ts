import { BYTES_PER_ELEMENT } from "../ir/element-bytes.js";
import type { IRNode, Graph } from "../ir/graph.js";
import { enumerateConfigs, type LayerConfig } from "./layer-config.js";
import { layerCost, type LayerCost, type LayerWork } from "./layer-cost.js";
import { type DeviceProfile, linkFor } from "./profile.js";
import { edgeCoefficients, type RedistributionCoefficients } from "./redistribution.js";
import { headsOf, kindUnder, splitKind } from "./split-kind.js";
import { positionsOf } from "../plan/sharded-loss.js";
import { activationOf } from "../ops/index.js";

/** Every layer's cost under every configuration on `devices` devices, and the edges' redistribution costs. */
export interface CostTable {
  readonly devices: number;
  readonly batch: number;
  readonly profile: DeviceProfile;
  readonly optimizerSlots: number;
  readonly configs: readonly LayerConfig[];
  readonly work: readonly LayerWork[];
  /** `layer[node][config]`. */
  readonly layer: readonly (readonly LayerCost[])[];
  /** Seconds of redistribution on edge u → v, forward and backward, for these configurations. */
  edgeTime(u: number, ku: number, v: number, kv: number): number;
  /**
   * `edgeTime(u, ku, v, kv)` for every pair of configurations, at `[ku · K + kv]`: edges that move the same
   * tensor between the same kinds (a repeated block's) share one matrix.
   */
  edgeMatrix(u: number, v: number): Float64Array;
  /** The redistribution coefficients of edge u → v for configurations (ku, kv), from the table's K×K tables. */
  edgeCoefficientsAt(u: number, ku: number, v: number, kv: number): RedistributionCoefficients;
}

/** The per-sample work of a node, from what `infer-shapes` filled in. */
export function layerWork(graph: Graph, node: IRNode): LayerWork {
  const outBytes = activationBytes(node);
  const inBytes = node.inputs.reduce((sum, i) => sum + activationBytes(graph.nodes[i]!), 0);
  const trainable = node.params?.trainable ?? 0;
  const nonTrainable = node.params?.nonTrainable ?? 0;
  const heads = headsOf(node);
  const kind = splitKind(graph, node);
  const shape = node.outputShape ?? [];
  const scored =
    kind === "contract" && activationOf(node) === "softmax" && graph.outputs.includes(node.id)
      ? { positions: positionsOf(shape), classes: shape.at(-1) ?? 0 }
      : undefined;
  return {
    kind,
    ...(scored !== undefined ? { scored } : {}),
    ...(heads !== undefined ? { heads } : {}),
    isInput: node.op === "input",
    isView: node.op === "flatten" || node.op === "reshape",
    flops: node.flops ?? 0,
    paramBytes: (trainable + nonTrainable) * BYTES_PER_ELEMENT,
    trainableBytes: trainable * BYTES_PER_ELEMENT,
    inBytes,
    outBytes,
    ...(node.savedBytes !== undefined ? { savedBytes: node.savedBytes } : {}),
  };
}

export function activationBytes(node: IRNode): number {
  if (node.activationBytes !== undefined) return node.activationBytes;
  return (node.outputShape ?? []).reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT;
}

/**
 * The `estimate-cost` pass: prices every configuration of every layer with the v1 formula (ARCHITECTURE.md).
 * `batch` is the samples one step (or one micro-batch) processes; `activationBatch` the samples whose
 * activations are kept at once (the whole global batch under GPipe); `recompute` when backward re-runs the
 * forward (pipeline stages).
 */
export function estimateCost(
  graph: Graph,
  profile: DeviceProfile,
  devices: number,
  batch: number,
  optimizerSlots: number,
  activationBatch: number = batch,
  recompute = false,
): CostTable {
  const configs = enumerateConfigs(devices);
  const work = worksOf(graph);
  const keys = workKeysOf(graph);
  // A repeated block's layers do the same work: each distinct work is priced once and its row shared.
  const rows = new Map<string, readonly LayerCost[]>();
  const layer = work.map((w, v) => {
    const key = keys.cost[v]!;
    let row = rows.get(key);
    if (!row) {
      row = configs.map((c) => layerCost(w, c, batch, profile, optimizerSlots, activationBatch, recompute));
      rows.set(key, row);
    }
    return row;
  });
  const K = configs.length;
  const tableFor = (u: number, v: number) =>
    edgeTable(keys.edge[u]!, work[u]!, keys.edge[v]!, work[v]!, configs);
  // The link each group size runs on, by the number of consecutive devices it spans.
  const links = Array.from({ length: devices + 1 }, (_, span) => linkFor(profile, span));
  const inputTables = graph.nodes.map((node) => node.inputs.map((u) => tableFor(u, node.id)));
  // Edge u → v's K×K coefficients: the table of v's input u (any other pair, as asked).
  const coefficientsOf = (u: number, v: number) =>
    inputTables[v]![graph.nodes[v]!.inputs.indexOf(u)] ?? tableFor(u, v);

  const matrices = new Map<object, Map<number, Float64Array>>();
  const table: CostTable = {
    devices,
    batch,
    profile,
    optimizerSlots,
    configs,
    work,
    layer,
    edgeTime(u, ku, v, kv) {
      const t = coefficientsOf(u, v);
      const i = ku * K + kv;
      const fraction = t.fraction[i]!;
      if (fraction === 0) return 0;
      const from = configs[ku]!;
      const to = configs[kv]!;
      const link = links[Math.max(from.d * from.m, to.d * to.m)]!;
      return (fraction * work[u]!.outBytes * batch) / link.bandwidth + t.steps[i]! * link.latency;
    },
    edgeCoefficientsAt(u, ku, v, kv) {
      const t = coefficientsOf(u, v);
      return { fraction: t.fraction[ku * K + kv]!, steps: t.steps[ku * K + kv]! };
    },
    edgeMatrix(u, v) {
      const coefficients = coefficientsOf(u, v);
      let byBytes = matrices.get(coefficients);
      if (!byBytes) matrices.set(coefficients, (byBytes = new Map()));
      let m = byBytes.get(work[u]!.outBytes);
      if (!m) {
        m = new Float64Array(K * K);
        for (let ku = 0; ku < K; ku++)
          for (let kv = 0; kv < K; kv++) m[ku * K + kv] = table.edgeTime(u, ku, v, kv);
        byBytes.set(work[u]!.outBytes, m);
      }
      return m;
    },
  };
  return table;
}

/**
 * Every node's work, once per graph: it does not depend on the devices, and a pipeline search prices a table
 * per stage width. Passes never change a graph once its shapes are inferred (a new compile builds a new one).
 */
const works = new WeakMap<Graph, readonly LayerWork[]>();

export function worksOf(graph: Graph): readonly LayerWork[] {
  let w = works.get(graph);
  if (!w) works.set(graph, (w = graph.nodes.map((node) => layerWork(graph, node))));
  return w;
}

/** What a node's costs and edges are looked up by, per graph (see `workKeysOf`). */
interface WorkKeys {
  /** `workKey` of each node's work: equal keys price equally under every configuration. */
  readonly cost: readonly string[];
  /** What an edge's redistribution depends on at each end: the split kind and the head count. */
  readonly edge: readonly string[];
}

const workKeys = new WeakMap<Graph, WorkKeys>();

/**
 * Every node's keys, once per graph: a 10,000-layer plan prices several tables (the pipeline search's per stage
 * width), and building the keys per table and per edge was a good part of each.
 */
function workKeysOf(graph: Graph): WorkKeys {
  let keys = workKeys.get(graph);
  if (!keys) {
    const work = worksOf(graph);
    keys = { cost: work.map(workKey), edge: work.map((w) => `${w.kind}${w.heads ?? ""}`) };
    workKeys.set(graph, keys);
  }
  return keys;
}

type EdgeCoefficientTable = { fraction: Float64Array; steps: Float64Array };

/**
 * Coefficients as flat K×K tables (the search calls edgeTime K² times per edge), by device count, then the
 * producer's edge key, then the consumer's: nested maps, so a lookup per edge builds no string.
 */
const edgeTables = new Map<number, Map<string, Map<string, EdgeCoefficientTable>>>();

/**
 * The redistribution coefficients between every configuration of a producer of `a`'s kind and a consumer of
 * `b`'s, on the devices `configs` enumerates. Pure in its key, so shared by every table on that many devices
 * (a pipeline search prices two per stage width).
 */
function edgeTable(
  aKey: string,
  a: LayerWork,
  bKey: string,
  b: LayerWork,
  configs: readonly LayerConfig[],
): EdgeCoefficientTable {
  const K = configs.length;
  const devices = configs[0]!.d * configs[0]!.m;
  let byProducer = edgeTables.get(devices);
  if (!byProducer) edgeTables.set(devices, (byProducer = new Map()));
  let byConsumer = byProducer.get(aKey);
  if (!byConsumer) byProducer.set(aKey, (byConsumer = new Map()));
  let t = byConsumer.get(bKey);
  if (!t) {
    t = { fraction: new Float64Array(K * K), steps: new Float64Array(K * K) };
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        const co = workEdgeCoefficients(a, configs[i]!, b, configs[j]!);
        t.fraction[i * K + j] = co.fraction;
        t.steps[i * K + j] = co.steps;
      }
    }
    byConsumer.set(bKey, t);
  }
  return t;
}

/** What `layerCost` reads of a work, as a key: equal keys price equally under every configuration. */
function workKey(w: LayerWork): string {
  const scored = w.scored ? `${w.scored.positions}x${w.scored.classes}` : "";
  return `${w.kind} ${w.heads ?? ""} ${w.isInput} ${w.isView ?? ""} ${w.flops} ${w.paramBytes} ${w.trainableBytes} ${w.inBytes} ${w.outBytes} ${w.savedBytes ?? ""} ${scored}`;
}

/** The redistribution on an edge between two layers under their configurations (kinds as each m makes them). */
export function workEdgeCoefficients(
  from: LayerWork,
  fromConfig: LayerConfig,
  to: LayerWork,
  toConfig: LayerConfig,
  sameDevices = true,
): RedistributionCoefficients {
  return edgeCoefficients(
    kindUnder(from.kind, from.heads, fromConfig.m),
    fromConfig,
    kindUnder(to.kind, to.heads, toConfig.m),
    toConfig,
    sameDevices,
  );
}
