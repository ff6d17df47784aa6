import { dirname, join } from "node:path";
import type { CompileOptions, PassName } from "../../compiler/pipeline.js";
import { compileSource } from "../../compiler/pipeline.js";
import type { Strategy } from "../../compiler/ir/config.js";
import { emitSummary } from "../../compiler/emit/summary.js";
import { emitPlan } from "../../compiler/emit/plan.js";
import { emitDot } from "../../compiler/emit/dot.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { emitKeras } from "../../compiler/emit/keras/index.js";
import { dumpStage } from "../dump.js";
import type { EmitTarget } from "../flags.js";
import { EXIT, UsageError } from "../exit-codes.js";
import { loadSource } from "../load-source.js";
import { printDiagnostics, writeOutput } from "../output.js";
import { placementLabels } from "../placement-labels.js";
import { machineProfileOption } from "../machine-profile.js";

export interface CompileFlags {
  emit: EmitTarget;
  output?: string;
  model?: string;
  devices?: number;
  strategy?: Strategy;
  profile?: string;
  microbatches?: number;
  dumpAfter?: PassName;
  json?: boolean;
}

export function compileOptionsFrom(flags: Omit<CompileFlags, "emit">): CompileOptions {
  return {
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    ...(flags.devices !== undefined ? { devices: flags.devices } : {}),
    ...(flags.strategy !== undefined ? { strategy: flags.strategy } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    ...(flags.microbatches !== undefined ? { microbatches: flags.microbatches } : {}),
    ...(flags.dumpAfter !== undefined ? { stopAfter: flags.dumpAfter } : {}),
    // With no `--profile`, plans use this machine's measured profile when `train` has cached one.
    ...machineProfileOption(flags),
  };
}

/** `mgpuc FILE.model [--emit ...]`: compile and write one artefact. Returns the exit code. */
export async function compileCommand(file: string, flags: CompileFlags): Promise<number> {
  const source = loadSource(file);
  const result = compileSource(source, compileOptionsFrom(flags));
  // A summary describes the model, not a plan: a model that fits no device count here (MG3xxx, placement) is
  // still summarised, its placement column empty and the placement error shown as a warning.
  const unplaced =
    flags.emit === "summary" &&
    flags.dumpAfter === undefined &&
    result.graph?.nodes.every((n) => n.params !== undefined) === true &&
    result.diagnostics.some((d) => d.severity === "error") &&
    result.diagnostics.every((d) => d.severity !== "error" || d.code.startsWith("MG3"));
  const shown = unplaced
    ? result.diagnostics.map((d) => (d.severity === "error" ? { ...d, severity: "warning" as const } : d))
    : result.diagnostics;
  printDiagnostics(shown, source, { json: flags.json === true, stream: process.stderr });
  if (unplaced) {
    writeOutput(emitSummary(result.graph!), flags.output);
    return EXIT.ok;
  }
  if (result.diagnostics.some((d) => d.severity === "error")) return EXIT.inputErrors;

  if (flags.dumpAfter !== undefined) {
    writeOutput(dumpStage(result), flags.output);
    return EXIT.ok;
  }
  const { graph, training, plan } = result;
  if (!graph || !training || !plan)
    throw new Error("the compiler stopped without a plan and without an error");
  const input = { graph, training, plan, modelFile: file };
  switch (flags.emit) {
    case "plan":
      writeOutput(emitPlan(plan), flags.output);
      break;
    case "summary":
      writeOutput(emitSummary(graph, placementLabels(graph, plan)), flags.output);
      break;
    case "dot":
      writeOutput(emitDot(plan), flags.output);
      break;
    case "ts": {
      // ts-morph brings in the TypeScript compiler (about a second): load it only for --emit ts.
      const { emitTypeScript } = await import("../../compiler/emit/typescript.js");
      const program = await emitTypeScript({
        ...input,
        ...(flags.output ? { programFile: flags.output } : {}),
      });
      writeOutput(program, flags.output);
      break;
    }
    case "torch":
    case "keras":
      writePrograms(flags.emit === "torch" ? emitTorch(input) : emitKeras(input), flags.output);
      break;
  }
  return EXIT.ok;
}

/** The main program goes to -o (or stdout); data files it reads (the mnist digits) go beside it. */
function writePrograms(
  result: { files: readonly { path: string; content: string | Uint8Array }[] },
  output?: string,
) {
  const [main, ...rest] = result.files;
  if (!main) throw new Error("the emitter produced no program");
  writeOutput(typeof main.content === "string" ? main.content : Buffer.from(main.content).toString(), output);
  if (rest.length === 0) return;
  if (output === undefined) {
    throw new UsageError(
      `this program reads ${rest.length} data file(s) from beside itself; give -o FILE to write them`,
    );
  }
  for (const extra of rest) writeOutput(extra.content, join(dirname(output), extra.path));
}
