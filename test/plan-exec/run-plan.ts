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
): Promise<{ weights: Float32Array[]; held: HeldFloats[]; losses: number[] }> {
  const group = await PlanGroup.start({
    plan: compiled.plan,
    model: compiled.model,
    optimizer,
    loss,
    seed,
    train: data,
    batch: Math.max(...batches.map((b) => b.length)),
    backend: "wasm",
    transport,
  });
  try {
    const losses: number[] = [];
    for (const [step, indices] of batches.entries()) losses.push((await group.step(step, indices)).lossSum);
    const held = await group.held();
    return { weights: (await group.state()).weights, held, losses };
  } finally {
    await group.close();
  }
}
