import type { Plan } from "../../compiler/plan/index.js";
import { needsPlanExecutor } from "../plan-exec/needs-plan-executor.js";

/**
 * Whether `plan` runs on the plan executor (runtime/plan-exec) rather than on data-parallel replicas: split or
 * pipelined plans always; on WebGPU also a data-parallel plan with batchnorm on several devices. The replicas
 * all-reduce batchnorm's statistics inside tfjs's gradient tape (SyncBatchNormalization), which needs a
 * synchronous read that WebGPU in Node lacks; the plan executor, stepping op by op there
 * (runtime/plan-exec/layer-tape.ts), gathers what batchnorm needs between ops instead.
 */
export function runsOnPlanExecutor(plan: Plan | undefined, backend: string, devices: number): boolean {
  if (plan === undefined) return false;
  if (needsPlanExecutor(plan)) return true;
  return (
    backend === "webgpu" &&
    devices > 1 &&
    devices === plan.devices.count &&
    plan.layers.some((l) => l.op === "batchnorm")
  );
}

/**
 * Why WebGPU devices cannot run `plan` on `devices`, or null when they can: only a data-parallel plan with
 * batchnorm run on another device count than it was compiled for (`mgpuc run PLAN --devices M`), which the
 * replicas would run with statistics all-reduced inside the tape.
 */
export function webgpuPlanProblem(plan: Plan | undefined, devices: number): string | null {
  if (plan === undefined || devices === 1 || runsOnPlanExecutor(plan, "webgpu", devices)) return null;
  if (!plan.layers.some((l) => l.op === "batchnorm")) return null;
  return (
    `this data-parallel plan with batchnorm was compiled for ${plan.devices.count} devices; on WebGPU it runs ` +
    `as compiled: recompile it for ${devices} (\`mgpuc FILE.model --devices ${devices} -o PLAN.json\`), or give ` +
    "--backend wasm"
  );
}
