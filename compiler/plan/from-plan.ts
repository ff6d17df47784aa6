import type { DataSource, Loss, Optimizer, TrainingConfig } from "../ir/config.js";
import type { Graph, IRNode } from "../ir/graph.js";
import type { Plan, PlanTraining } from "./plan-types.js";

/**
 * The IR graph a plan describes, rebuilt from its layers (names, ops, normalised attrs, producer names), so
 * `mgpuc run PLAN.json` needs no `.model` file. Spans point at the plan file itself.
 */
export function graphFromPlan(plan: Plan, planFile: string): Graph {
  const span = { file: planFile, start: 0, end: 0 };
  const ids = new Map(plan.layers.map((layer, i) => [layer.name, i]));
  const idOf = (name: string) => {
    const id = ids.get(name);
    if (id === undefined) throw new PlanShapeError(`layer input '${name}' is not a layer of the plan`);
    return id;
  };
  const nodes: IRNode[] = plan.layers.map((layer, id) => ({
    id,
    name: layer.name,
    op: layer.op,
    attrs: layer.attrs,
    inputs: layer.inputs.map(idOf),
    outputShape: layer.outputShape,
    dtype: layer.dtype,
    params: { trainable: layer.trainableParams, nonTrainable: layer.params - layer.trainableParams },
    flops: layer.flops,
    hints: [],
    span,
    callSites: [],
  }));
  for (const node of nodes)
    if (node.inputs.some((i) => i >= node.id))
      throw new PlanShapeError(`layer '${node.name}' is not in topological order`);
  return {
    model: plan.model,
    span,
    nodes,
    inputs: plan.graph.inputs.map(idOf),
    outputs: plan.graph.outputs.map(idOf),
  };
}

/** A plan whose layers do not form a graph: the CLI reports it as a bad plan. */
export class PlanShapeError extends Error {
  override readonly name = "PlanShapeError";
}

/** The plan's resolved `train` section back as a TrainingConfig. */
export function trainingFromPlan(training: PlanTraining): TrainingConfig {
  return {
    ...(training.data ? { data: training.data as unknown as DataSource } : {}),
    ...(training.target === "input" ? { target: "input" as const } : {}),
    optimizer: training.optimizer as unknown as Optimizer,
    ...(training.loss ? { loss: training.loss as Loss } : {}),
    metrics: training.metrics,
    epochs: training.epochs,
    batch: training.batch,
    validation:
      typeof training.validation === "number"
        ? training.validation
        : (training.validation as unknown as DataSource),
    seed: training.seed,
    spans: {},
  };
}
