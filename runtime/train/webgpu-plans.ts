import type { Plan } from "../../compiler/plan/index.js";
import { needsPlanExecutor } from "../plan-exec/needs-plan-executor.js";

/**
 * Why WebGPU devices cannot run `plan` on `devices`, or null when they can. Both refusals come from one fact:
 * in Node, tfjs-backend-webgpu reads a tensor back only asynchronously (`dataSync` needs an OffscreenCanvas,
 * and Dawn's binding has no blocking read), while these exchange tensors in the middle of a step, inside
 * tfjs's gradient tape, which is synchronous: a layer split over devices or a pipeline stage boundary
 * (runtime/plan-exec), and batch normalization's statistics, all-reduced across replicas. Data-parallel plans
 * exchange gradients after the tape, and run.
 */
export function webgpuPlanProblem(plan: Plan | undefined, devices: number): string | null {
  if (plan !== undefined && needsPlanExecutor(plan)) {
    return (
      "this plan splits layers or pipelines them, which WebGPU devices cannot run yet (their tensors are read " +
      "back only asynchronously, and split layers exchange them inside the gradient tape); give --strategy " +
      "data, or --backend wasm"
    );
  }
  if (devices > 1 && plan?.layers.some((l) => l.op === "batchnorm")) {
    return (
      "batchnorm all-reduces its batch statistics across replicas inside the gradient tape, which WebGPU " +
      "devices cannot (their tensors are read back only asynchronously); give --devices 1, or --backend wasm"
    );
  }
  return null;
}
