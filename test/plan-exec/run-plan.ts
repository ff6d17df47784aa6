import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import type { Dataset } from "../../runtime/data/index.js";
import { PlanGroup } from "../../runtime/plan-exec/index.js";
import type { HeldFloats } from "../../runtime/plan-exec/index.js";
import { type Compiled, LOSS } from "./plan-fixtures.js";

/** Trains `compiled.plan` on its devices over `batches`; the final weights in the 1-device layout. */
export async function trainPlan(
  compiled: Compiled,
  data: Dataset,
  batches: readonly Uint32Array[],
  optimizer: Optimizer,
  seed: number,
  transport: "thread" | "process" = "thread",
  loss: Loss = LOSS,
  metrics: readonly string[] = [],
): Promise<{ weights: Float32Array[]; held: HeldFloats[]; losses: number[]; metricSums: number[][] }> {
  const group = await PlanGroup.start({
    plan: compiled.plan,
    model: compiled.model,
    optimizer,
    loss,
    metrics,
    seed,
    train: data,
    batch: Math.max(...batches.map((b) => b.length)),
    backend: "wasm",
    transport,
  });
  try {
    const losses: number[] = [];
    const metricSums: number[][] = [];
    for (const [step, indices] of batches.entries()) {
      const reply = await group.step(step, indices);
      losses.push(reply.lossSum);
      metricSums.push([...reply.metricSums]);
    }
    const held = await group.held();
    return { weights: (await group.state()).weights, held, losses, metricSums };
  } finally {
    await group.close();
  }
}
