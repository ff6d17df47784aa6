import { availableParallelism } from "node:os";
import type { Plan } from "../compiler/plan/index.js";

/**
 * Whether a plan made elsewhere can run here. CPU devices are threads, so any count runs, but a plan made for
 * GPUs (`h100`, ...) needs as many GPUs, and this runtime finds GPUs only through tfjs-node-gpu. Returns what
 * does not match, or undefined.
 */
export function checkPlanDevices(plan: Plan, devicesFlag: number | undefined): string | undefined {
  const gpuProfile = plan.devices.profile !== "cpu" && !plan.devices.profile.endsWith(".json");
  if (gpuProfile && devicesFlag === undefined && !process.env.CUDA_VISIBLE_DEVICES) {
    return (
      `this plan was made for ${plan.devices.count} × ${plan.devices.profile}, and no GPU is visible here ` +
      `(CUDA_VISIBLE_DEVICES is unset, ${availableParallelism()} CPU cores); recompile for this machine with ` +
      `\`mgpuc FILE.model --profile cpu --devices N -o PLAN.json\`, or pass --devices N to run it on N CPU devices`
    );
  }
  return undefined;
}
