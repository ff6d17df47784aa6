import { SourceFile } from "../compiler/diagnostics/index.js";
import { compileSource } from "../compiler/pipeline.js";
import type { PlanProbe } from "../runtime/plan-exec/split-overhead.js";

/**
 * How `calibrate` compiles its probe model: the runtime never imports the compiler's passes, so the layer above
 * both (this one) hands it the compiler. The profile is passed as a value: no temporary profile files.
 */
export const planProbe: PlanProbe = (text, { strategy, devices, profile }) => {
  const result = compileSource(new SourceFile("calibration-probe.model", text), {
    strategy,
    devices,
    profile,
  });
  if (result.plan === undefined || result.graph === undefined)
    return {
      error: result.diagnostics.map((d) => d.message).join("; ") || `stopped after ${result.reached}`,
    };
  return { plan: result.plan, graph: result.graph };
};
