import { workEdgeCoefficients, worksOf } from "../cost/estimate-cost.js";
import { layerLayout, nodeLayoutInput } from "../plan/layer-layout.js";
import type { Graph } from "../ir/graph.js";
import type { Placement } from "../placement/placement-types.js";
import type {
  DeviceProgram,
  GradientBucket,
  ProgramStep,
  Schedule,
  ScheduleSegment,
  ScheduleTransfer,
  MicrobatchOrder,
} from "../plan/schedule-types.js";
import { microbatchProgram } from "../plan/microbatch-program.js";

/** PyTorch DDP's default bucket size: big enough to amortise latency, small enough to start early. */
export const BUCKET_BYTES = 25 * 1024 * 1024;

/**
 * The `schedule` pass: cuts the placed layers into segments (consecutive layers with one configuration and
 * stage), lists the tensors that move between them, buckets the gradients, and writes each device's program.
 */
export function schedule(graph: Graph, placement: Placement, order: MicrobatchOrder = "1f1b"): Schedule {
  const { layers, microbatches: M } = placement;
  const segmentOf: number[] = [];
  const segments: {
    id: number;
    stage: number;
    d: number;
    m: number;
    devices: readonly number[];
    nodes: number[];
  }[] = [];
  graph.nodes.forEach((_, v) => {
    const p = layers[v]!;
    const last = segments[segments.length - 1];
    if (last && last.stage === p.stage && last.d === p.config.d && last.m === p.config.m) last.nodes.push(v);
    else
      segments.push({
        id: segments.length,
        stage: p.stage,
        d: p.config.d,
        m: p.config.m,
        devices: p.devices,
        nodes: [v],
      });
    segmentOf.push(segments.length - 1);
  });

  const transfers: ScheduleTransfer[] = [];
  const works = worksOf(graph);
  for (const node of graph.nodes) {
    const to = layers[node.id]!;
    for (const u of node.inputs) {
      const from = layers[u]!;
      const crossStage = from.stage !== to.stage;
      const co = workEdgeCoefficients(works[u]!, from.config, works[node.id]!, to.config, !crossStage);
      const crossSegment = segmentOf[u] !== segmentOf[node.id];
      if (!crossStage && co.fraction === 0 && !crossSegment) continue;
      const partial = layerLayout(nodeLayoutInput(graph, u, from.config)).partial;
      const kind = crossStage
        ? "send-recv"
        : co.fraction === 0
          ? "slice"
          : partial
            ? "all-reduce"
            : from.config.d === to.config.d || to.config.d === 1
              ? "all-gather"
              : "all-to-all";
      transfers.push({
        tensor: graph.nodes[u]!.name,
        to: node.name,
        fromSegment: segmentOf[u]!,
        toSegment: segmentOf[node.id]!,
        kind,
        bytes: Math.round((placement.outBytes[u]! * placement.batch) / M),
      });
    }
  }

  const gradientBuckets: GradientBucket[] = [];
  for (const seg of segments) {
    if (seg.d < 2) continue;
    const base = seg.devices[0] ?? 0;
    const groups = Array.from({ length: seg.m }, (_, j) =>
      Array.from({ length: seg.d }, (_, g) => base + g * seg.m + j),
    );
    let bucket: { names: string[]; bytes: number } = { names: [], bytes: 0 };
    const flush = () => {
      if (bucket.names.length === 0) return;
      gradientBuckets.push({
        id: gradientBuckets.length,
        segment: seg.id,
        layers: bucket.names,
        bytes: bucket.bytes,
        groups,
      });
      bucket = { names: [], bytes: 0 };
    };
    for (const v of [...seg.nodes].reverse()) {
      const node = graph.nodes[v]!;
      const trainable = node.params?.trainable ?? 0;
      const layout = layerLayout(nodeLayoutInput(graph, v, seg));
      // Only row-sliced layers' gradients are all-reduced: one replicated on the whole batch has them whole.
      if (trainable === 0 || !layout.rowSliced) continue;
      const split = layout.sharded ? seg.m : 1;
      const bytes = (trainable * 4) / split;
      if (bucket.bytes > 0 && bucket.bytes + bytes > BUCKET_BYTES) flush();
      bucket.names.push(node.name);
      bucket.bytes += bytes;
    }
    flush();
  }

  const bucketsOf = new Map<number, number[]>();
  for (const b of gradientBuckets) bucketsOf.set(b.segment, [...(bucketsOf.get(b.segment) ?? []), b.id]);
  const programs: DeviceProgram[] = [];
  for (let device = 0; device < placement.devices; device++) {
    const mine = segments.filter((s) => s.devices.includes(device));
    const stage = mine[0]?.stage ?? 0;
    const steps: ProgramStep[] = [];
    const lastStage = stage === placement.stages - 1;
    const micro = microbatchProgram(order, stage, placement.stages, M);
    // The gradients are complete after the last backward: GPipe's is micro-batch 0, 1F1B's M − 1.
    const lastBackward = lastStage ? M - 1 : micro.filter((o) => o.op === "backward").at(-1)!.micro;
    for (const { op, micro: mb } of micro) {
      if (op === "forward")
        for (const s of mine) steps.push({ op: "forward", segment: s.id, microbatch: mb });
      // The last stage runs each micro-batch's backward right after its forward.
      if (op === "backward" || lastStage) {
        for (const s of [...mine].reverse()) {
          steps.push({ op: "backward", segment: s.id, microbatch: mb });
          if (mb === lastBackward)
            for (const b of bucketsOf.get(s.id) ?? []) steps.push({ op: "all-reduce", bucket: b });
        }
      }
    }
    if (mine.length > 0) steps.push({ op: "apply" });
    programs.push({ device, stage, steps });
  }

  const out: ScheduleSegment[] = segments.map((s) => ({
    id: s.id,
    stage: s.stage,
    dataDegree: s.d,
    modelDegree: s.m,
    devices: s.devices,
    layers: s.nodes.map((v) => graph.nodes[v]!.name),
  }));
  return {
    stages: placement.stages,
    microbatches: M,
    microbatchOrder: order,
    segments: out,
    transfers,
    gradientBuckets,
    programs,
    ...(placement.optimizerSharding?.chosen === "zero-1" ? { optimizerSharding: "zero-1" as const } : {}),
  };
}
