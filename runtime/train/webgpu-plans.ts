import type { Plan } from "../../compiler/plan/index.js";
import { needsPlanExecutor } from "../plan-exec/needs-plan-executor.js";

/**
 * Why WebGPU devices cannot run `plan` on `devices`, or null when they can. In Node, tfjs-backend-webgpu reads
 * a tensor back only asynchronously (`dataSync` needs an OffscreenCanvas, and Dawn's binding has no blocking
 * read). Split and pipelined plans cope (runtime/plan-exec/layer-tape.ts runs their steps op by op); the
 * data-parallel engine's batch normalization does not: its statistics are all-reduced across replicas inside
 * tfjs's gradient tape, which is synchronous.
 */
export function webgpuPlanProblem(plan: Plan | undefined, devices: number): string | null {
  const dataParallel = plan === undefined || !needsPlanExecutor(plan);
  if (dataParallel && devices > 1 && plan?.layers.some((l) => l.op === "batchnorm")) {
    return (
      "batchnorm all-reduces its batch statistics across replicas inside the gradient tape, which WebGPU " +
      "devices cannot (their tensors are read back only asynchronously); give --devices 1, or --backend wasm"
    );
  }
  return null;
}
