import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Graph } from "../../compiler/ir/graph.js";
import type { Strategy, TrainingConfig } from "../../compiler/ir/config.js";
import { compileSource } from "../../compiler/pipeline.js";
import { isPlanLoadError, loadPlan, type Plan } from "../../compiler/plan/index.js";
import { graphFromPlan, PlanShapeError, trainingFromPlan } from "../../compiler/plan/from-plan.js";
import { EXIT, UsageError } from "../exit-codes.js";
import { parseDataFlag, parseLossFlag } from "../flag-values.js";
import { loadSource } from "../load-source.js";
import { printDiagnostics } from "../output.js";
import { layerConfigLabel } from "../../compiler/emit/explain.js";
import { checkPlanDevices } from "../plan-devices.js";

export interface TrainFlags {
  model?: string;
  profile?: string;
  devices?: number;
  strategy?: Strategy;
  microbatches?: number;
  transport?: "thread" | "process";
  epochs?: number;
  steps?: number;
  batch?: number;
  seed?: number;
  data?: string;
  loss?: string;
  /** commander: `--save DIR` gives a string, `--no-save` gives false, neither gives true. */
  save?: string | boolean;
  resume?: string;
  json?: boolean;
}

interface Job {
  readonly graph: Graph;
  readonly training: TrainingConfig;
  readonly plan: Plan;
  /** Data paths in the file are relative to it; on the command line, to the current folder. */
  readonly baseDir: string;
}

/** `mgpuc train FILE.model` and `mgpuc run PLAN.json`: compile (or load) a plan and train it. */
export async function trainCommand(
  target: { kind: "model" | "plan"; file: string },
  flags: TrainFlags,
): Promise<number> {
  const job = target.kind === "model" ? compileJob(target.file, flags) : planJob(target.file, flags);
  if (typeof job === "number") return job;
  const training = withOverrides(job.training, flags);
  if (!training.loss)
    throw new UsageError("this model has no `loss:` in its train section; give --loss LOSS");
  if (!training.data)
    throw new UsageError("this model has no `data:` in its train section; give --data SOURCE");

  const runtime = await import("../../runtime/index.js");
  // The main thread only builds the model and writes checkpoints; the workers do the math on their own backends.
  await runtime.initBackend("cpu");
  const { buildModel } = await import("../../runtime/model/index.js");
  const devices = flags.devices ?? job.plan.devices.count;
  const saveDir =
    flags.save === false
      ? null
      : typeof flags.save === "string"
        ? flags.save
        : (flags.resume ?? join("runs", job.plan.model));
  try {
    await runtime.trainModel({
      model: buildModel(job.graph),
      modelName: job.plan.model,
      training,
      devices,
      plan: job.plan,
      baseDir: job.baseDir,
      saveDir,
      strategy: describeStrategy(job.plan),
      ...(flags.transport !== undefined ? { transport: flags.transport } : {}),
      ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
      ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
      ...(flags.resume !== undefined ? { resume: flags.resume } : {}),
      ...(flags.json ? { json: true } : {}),
    });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof runtime.TrainingFailure) {
      if (!error.reported) process.stderr.write(`error: ${error.message}\n`);
      return EXIT.trainingFailure;
    }
    throw error;
  }
}

function compileJob(file: string, flags: TrainFlags): Job | number {
  const source = loadSource(file);
  const result = compileSource(source, {
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    ...(flags.devices !== undefined ? { devices: flags.devices } : {}),
    ...(flags.strategy !== undefined ? { strategy: flags.strategy } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    ...(flags.microbatches !== undefined ? { microbatches: flags.microbatches } : {}),
  });
  printDiagnostics(result.diagnostics, source, { json: flags.json === true, stream: process.stderr });
  if (result.diagnostics.some((d) => d.severity === "error")) return EXIT.inputErrors;
  if (!result.graph || !result.training || !result.plan)
    throw new Error("the compiler stopped without a plan");
  return { graph: result.graph, training: result.training, plan: result.plan, baseDir: dirname(file) };
}

function planJob(file: string, flags: TrainFlags): Job | number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error)}`,
    );
  }
  const plan = loadPlan(text);
  if (isPlanLoadError(plan)) {
    process.stderr.write(`${file}: error: ${plan.error}\n`);
    return EXIT.inputErrors;
  }
  const split = plan.layers.some((l) => l.placement.modelDegree > 1 || l.placement.stage > 0);
  if (split && flags.devices !== undefined && flags.devices !== plan.devices.count) {
    process.stderr.write(
      `${file}: error: this plan splits layers over exactly ${plan.devices.count} devices; ` +
        `recompile it for ${flags.devices} with \`mgpuc FILE.model --devices ${flags.devices} -o PLAN.json\`\n`,
    );
    return EXIT.inputErrors;
  }
  const mismatch = checkPlanDevices(plan, flags.devices);
  if (mismatch) {
    process.stderr.write(`${file}: error: ${mismatch}\n`);
    return EXIT.inputErrors;
  }
  try {
    return {
      graph: graphFromPlan(plan, file),
      training: trainingFromPlan(plan.training),
      plan,
      baseDir: process.cwd(),
    };
  } catch (error) {
    if (error instanceof PlanShapeError) {
      process.stderr.write(`${file}: error: ${error.message}\n`);
      return EXIT.inputErrors;
    }
    throw error;
  }
}

function withOverrides(training: TrainingConfig, flags: TrainFlags): TrainingConfig {
  return {
    ...training,
    ...(flags.data !== undefined ? { data: parseDataFlag(flags.data) } : {}),
    ...(flags.loss !== undefined ? { loss: parseLossFlag(flags.loss) } : {}),
  };
}

/** The banner's strategy: what the plan chose, e.g. `auto → data×2, model×2` or `pipeline → 2 stages × 8 micro-batches`. */
function describeStrategy(plan: Plan): string {
  const stages = new Set(plan.layers.map((l) => l.placement.stage)).size;
  if (stages > 1) return `${plan.strategy} → ${stages} stages × ${plan.predicted.microbatches} micro-batches`;
  const configs = new Set(plan.layers.map((l) => layerConfigLabel(l, false)));
  return `${plan.strategy} → ${[...configs].join(", ")}`;
}
