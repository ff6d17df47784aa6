import { SourceFile } from "../compiler/diagnostics/span.js";
import type { TrainingConfig } from "../compiler/ir/config.js";
import type { Graph } from "../compiler/ir/graph.js";
import { checkTrainingData } from "../compiler/passes/check-data.js";
import { EXIT } from "./exit-codes.js";
import { printDiagnostics } from "./output.js";

/**
 * `mgpuc run PLAN.json --data SOURCE --loss LOSS`: the plan's settings were checked when it was compiled, but the
 * flags' were not. Runs the compiler's data and loss checks on them before anything starts (a model file's
 * flags go through the pipeline itself); prints what they find. Returns the exit code when there are errors.
 */
export function checkPlanOverrides(
  graph: Graph,
  training: TrainingConfig,
  planFile: string,
  flags: { data?: string; loss?: string; json?: boolean },
): number | undefined {
  if (flags.data === undefined && flags.loss === undefined) return undefined;
  const diagnostics = checkTrainingData(graph, training);
  printDiagnostics(diagnostics, new SourceFile(planFile, ""), {
    json: flags.json === true,
    stream: process.stderr,
  });
  return diagnostics.some((d) => d.severity === "error") ? EXIT.inputErrors : undefined;
}
