import { configKind, configLabel } from "../cost/layer-config.js";
import type { DataSource, TrainingConfig } from "../ir/config.js";
import type { Graph } from "../ir/graph.js";
import { round6 } from "../placement/format.js";
import type { Placement } from "../placement/placement-types.js";
import type { Schedule } from "./schedule-types.js";
import { PLAN_VERSION, type Plan, type PlanLayer, type PlanTraining } from "./plan-types.js";

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
  const layers: PlanLayer[] = graph.nodes.map((node, v) => {
    const p = placement.layers[v]!;
    const r = p.runnerUp;
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
      reason: p.reason,
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
    },
    training: planTraining(training),
    schedule,
  };
}
