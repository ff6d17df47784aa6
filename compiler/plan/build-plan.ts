import { BYTES_PER_ELEMENT } from "../ir/element-bytes.js";
import { configKind, configLabel } from "../cost/layer-config.js";
import type { DataSource, TrainingConfig } from "../ir/config.js";
import type { Graph } from "../ir/graph.js";
import { round6 } from "../placement/format.js";
import type { Placement } from "../placement/placement-types.js";
import type { Schedule, ScheduleTransfer } from "./schedule-types.js";
import { activationBytes } from "../cost/estimate-cost.js";
import { layerLayout, nodeLayoutInput, splitAxis } from "./layer-layout.js";
import { SHARDED_LOSS_PHRASE, positionsOf, scoresOnShards, shardedLossCollectives } from "./sharded-loss.js";
import {
  PLAN_VERSION,
  type Plan,
  type PlanCollective,
  type PlanLayer,
  type PlanTraining,
} from "./plan-types.js";

const ms = (seconds: number) => round6(seconds * 1000);

function source(d: DataSource): Record<string, string | number | readonly number[]> {
  const out: Record<string, string | number | readonly number[]> = {};
  for (const [k, v] of Object.entries(d))
    if (v !== undefined) out[k] = v as string | number | readonly number[];
  return out;
}

/** The resolved train section without its spans, keys in a fixed order. */
export function planTraining(t: TrainingConfig): PlanTraining {
  return {
    batch: t.batch,
    epochs: t.epochs,
    optimizer: { ...t.optimizer },
    loss: t.loss ?? null,
    metrics: [...t.metrics],
    data: t.data ? source(t.data) : null,
    ...(t.target ? { target: t.target } : {}),
    validation: typeof t.validation === "number" ? t.validation : source(t.validation),
    seed: t.seed,
  };
}

/** Assembles the plan object, every key in a fixed order so the JSON is the same byte for byte. */
export function buildPlan(
  graph: Graph,
  training: TrainingConfig,
  placement: Placement,
  schedule: Schedule,
): Plan {
  const names = graph.nodes.map((n) => n.name);
  // Each layer's incoming transfers, found once: a scan of all of them per layer was quadratic (10,000 layers).
  const transfersTo = new Map<string, Moved[]>();
  for (const t of schedule.transfers) {
    if (t.kind === "slice") continue;
    const moved = { kind: t.kind, bytes: t.bytes };
    const list = transfersTo.get(t.to);
    if (list) list.push(moved);
    else transfersTo.set(t.to, [moved]);
  }
  const layers: PlanLayer[] = graph.nodes.map((node, v) => {
    const p = placement.layers[v]!;
    const r = p.runnerUp;
    const scored =
      graph.outputs[0] === v &&
      scoresOnShards(
        { ...nodeLayoutInput(graph, v, p.config), outputShape: node.outputShape ?? [] },
        training.loss,
        training.metrics,
      );
    return {
      name: node.name,
      op: node.op,
      inputs: node.inputs.map((u) => names[u]!),
      attrs: node.attrs,
      dtype: node.dtype,
      outputShape: [...(node.outputShape ?? [])],
      params: (node.params?.trainable ?? 0) + (node.params?.nonTrainable ?? 0),
      trainableParams: node.params?.trainable ?? 0,
      flops: node.flops ?? 0,
      placement: {
        kind: configKind(p.config),
        dataDegree: p.config.d,
        modelDegree: p.config.m,
        stage: p.stage,
        devices: [...p.devices],
        ...(p.config.m > 1
          ? {
              split: splitAxis(nodeLayoutInput(graph, v, p.config)),
            }
          : {}),
      },
      predicted: { computeMs: ms(p.compute), commMs: ms(p.comm), memoryBytes: Math.round(p.memory) },
      runnerUp: r
        ? {
            config: configLabel(r.config),
            dataDegree: r.config.d,
            modelDegree: r.config.m,
            stage: r.stage,
            extraMs: ms(r.extra),
          }
        : null,
      reason: scored ? withSecond(p.reason, SHARDED_LOSS_PHRASE) : p.reason,
      ...withCollectives([
        ...layerCollectives(graph, v, p.config, transfersTo.get(node.name) ?? [], schedule, training.batch),
        ...(scored
          ? shardedLossCollectives(training.batch, positionsOf(node.outputShape ?? []), p.config.m).map(
              (c) => ({ ...c, bytes: Math.round(c.bytes), phase: "forward" as const }),
            )
          : []),
      ]),
    };
  });
  const b = placement.baselines;
  return {
    format: "mgpuc-plan",
    version: PLAN_VERSION,
    model: graph.model,
    strategy: placement.strategy,
    devices: {
      count: placement.devices,
      profile: placement.profile.name,
      memoryBytes: placement.profile.memoryBytes,
      rate: placement.profile.rate,
      ...(placement.allowed ? { allowed: placement.allowed.devices } : {}),
    },
    graph: { inputs: graph.inputs.map((v) => names[v]!), outputs: graph.outputs.map((v) => names[v]!) },
    layers,
    predicted: {
      stepTimeMs: ms(placement.stepTime),
      baselines: {
        data: b.data === null ? null : ms(b.data),
        model: b.model === null ? null : ms(b.model),
        pipeline: b.pipeline === null ? null : ms(b.pipeline),
      },
      memoryPerDeviceBytes: placement.memoryPerDevice.map((x) => Math.round(x)),
      stages: placement.stages,
      microbatches: placement.microbatches,
      ...(placement.optimizerSharding
        ? {
            optimizerSharding: {
              chosen: placement.optimizerSharding.chosen,
              otherStepTimeMs: ms(placement.optimizerSharding.otherStepTime),
              otherMemoryPerDeviceBytes: Math.round(placement.optimizerSharding.otherMemoryPerDevice),
            },
          }
        : {}),
      ...(placement.allowed
        ? {
            allAllowedStepTimeMs: placement.allowed.stepTime === null ? null : ms(placement.allowed.stepTime),
          }
        : {}),
    },
    training: planTraining(training),
    schedule,
  };
}

/** `phrase` after a reason's first clause (the layout phrase of a model-split layer). */
function withSecond(reason: string, phrase: string): string {
  const [first, ...rest] = reason.split("; ");
  return [first, phrase, ...rest].join("; ");
}

function withCollectives(list: PlanCollective[]): { collectives?: PlanCollective[] } {
  return list.length > 0 ? { collectives: list } : {};
}

/** A transfer into a layer that moves bytes (a slice moves nothing): its kind and bytes per micro-batch. */
interface Moved {
  readonly kind: Exclude<ScheduleTransfer["kind"], "slice">;
  readonly bytes: number;
}

/** What the runtime moves backward for a tensor a transfer moved forward. */
const BACKWARD: Readonly<Record<PlanCollective["kind"], PlanCollective["kind"]>> = {
  "all-gather": "reduce-scatter",
  "reduce-scatter": "all-gather",
  "all-to-all": "all-to-all",
  "send-recv": "send-recv",
  "all-reduce": "all-reduce",
};

/**
 * The collectives of layer `v` per step, all samples together: the transfers that bring its inputs (and their
 * gradients back), a column-parallel layer's input-gradient all-reduce over its model group (its partial
 * sums), and the all-reduce of its replicated weights' gradients over the data groups (under ZeRO-1 a
 * reduce-scatter of the gradients and an all-gather of the updated weights).
 */
function layerCollectives(
  graph: Graph,
  v: number,
  config: { readonly d: number; readonly m: number },
  /** The schedule's transfers into this layer, slices excluded. */
  incoming: readonly Moved[],
  schedule: Schedule,
  batch: number,
): PlanCollective[] {
  const node = graph.nodes[v]!;
  const out: PlanCollective[] = [];
  for (const t of incoming) {
    const bytes = t.bytes * schedule.microbatches;
    out.push({ kind: t.kind, bytes, phase: "forward" });
    // Partial sums added up: backward, each device takes its rows of the whole gradient, nothing to move.
    if (t.kind !== "all-reduce") out.push({ kind: BACKWARD[t.kind], bytes, phase: "backward" });
  }
  const layout = layerLayout(nodeLayoutInput(graph, v, config));
  // Column-parallel and head-split layers read the whole input: its gradient's partial sums are all-reduced.
  if (layout.cut !== undefined || layout.mode === "heads") {
    const inBytes = node.inputs.reduce((sum, u) => sum + activationBytes(graph.nodes[u]!), 0);
    out.push({ kind: "all-reduce", bytes: Math.round(inBytes * batch), phase: "backward" });
  }
  const trainable = node.params?.trainable ?? 0;
  const replicatedInGroup = config.m > 1 && !layout.sharded;
  if (trainable > 0 && config.d > 1 && !replicatedInGroup) {
    const bytes = (trainable * BYTES_PER_ELEMENT) / (layout.sharded ? config.m : 1);
    // ZeRO-1: the gradients reduce-scattered, each replica's updated slice all-gathered.
    if (schedule.optimizerSharding === "zero-1")
      out.push(
        { kind: "reduce-scatter", bytes, phase: "backward" },
        { kind: "all-gather", bytes, phase: "update" },
      );
    else out.push({ kind: "all-reduce", bytes, phase: "update" });
  }
  return out;
}
