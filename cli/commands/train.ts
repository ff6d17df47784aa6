import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Graph } from "../../compiler/ir/graph.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import type { Backend, ParallelConfig, Strategy, TrainingConfig } from "../../compiler/ir/config.js";
import { compileSource } from "../../compiler/pipeline.js";
import { isPlanLoadError, loadPlan, type Plan } from "../../compiler/plan/index.js";
import { graphFromPlan, PlanShapeError, trainingFromPlan } from "../../compiler/plan/from-plan.js";
import { EXIT, UsageError } from "../exit-codes.js";
import { trainingOverrides } from "../flag-values.js";
import { checkPlanOverrides } from "../check-overrides.js";
import { applyTrainingOverrides } from "../../compiler/passes/resolve-config.js";
import { loadSource } from "../load-source.js";
import { printDiagnostics } from "../output.js";
import { layerConfigLabel } from "../../compiler/emit/explain.js";
import { checkPlanDevices } from "../plan-devices.js";
import { watchInterrupts } from "../interrupts.js";
import { checkDeviceLimit, checkTrainingShape } from "../training-usage.js";
import { gpuCount } from "../../runtime/process/transport.js";
import { webgpuPlanProblem } from "../../runtime/train/webgpu-plans.js";
import { chooseDeviceBackend, type DeviceBackend } from "../device-backend.js";
import { measureMachineIfNeeded } from "../measure-machine.js";
import { machineProfileOption } from "../machine-profile.js";

export interface TrainFlags {
  model?: string;
  profile?: string;
  devices?: number;
  strategy?: Strategy;
  microbatches?: number;
  transport?: "thread" | "process";
  backend?: Backend;
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
  /** The file's `parallel` section (a model job only). */
  readonly parallel?: ParallelConfig;
  /** Data paths in the file are relative to it; on the command line, to the current folder. */
  readonly baseDir: string;
}

/** `mgpuc train FILE.model` and `mgpuc run PLAN.json`: compile (or load) a plan and train it. */
export async function trainCommand(
  target: { kind: "model" | "plan"; file: string },
  flags: TrainFlags,
): Promise<number> {
  checkDeviceLimit(flags.devices, gpuCount());
  let job = target.kind === "model" ? compileJob(target.file, flags) : planJob(target.file, flags);
  if (typeof job === "number") return job;
  // A model planned without a profile, on a machine not yet measured: measure it (at most 10 s) and plan again.
  const measured =
    target.kind === "model"
      ? await measureMachineIfNeeded({
          profileGiven: flags.profile !== undefined || job.parallel?.profile !== undefined,
          backend: flags.backend ?? job.parallel?.backend ?? "auto",
        })
      : undefined;
  if (measured !== undefined) {
    job = compileJob(target.file, flags, measured);
    if (typeof job === "number") return job;
  }
  // A model is planned for --devices (the most `auto` may use): its plan says how many it uses. A plan file
  // runs on --devices when given (a data-parallel plan runs on any count; split ones are checked below).
  const devicesFor = (plan: Plan) =>
    target.kind === "model" ? plan.devices.count : (flags.devices ?? plan.devices.count);
  const chosen = await chooseDeviceBackend(
    flags.backend ?? job.parallel?.backend ?? "auto",
    devicesFor(job.plan),
    flags.transport,
  );
  // `devices: all` on real GPUs is one device per GPU adapter: planned for that many.
  if (
    target.kind === "model" &&
    chosen.gpus !== undefined &&
    flags.devices === undefined &&
    job.parallel?.devices === "all" &&
    chosen.gpus !== job.plan.devices.count
  ) {
    job = compileJob(target.file, { ...flags, devices: chosen.gpus }, measured);
    if (typeof job === "number") return job;
  }
  const training = withOverrides(job.training, flags);
  if (target.kind === "plan") {
    const rejected = checkPlanOverrides(job.graph, training, target.file, flags);
    if (rejected !== undefined) return rejected;
  }
  if (!training.loss)
    throw new UsageError("this model has no `loss:` in its train section; give --loss LOSS");
  if (!training.data)
    throw new UsageError("this model has no `data:` in its train section; give --data SOURCE");
  const devices = devicesFor(job.plan);
  const backend = backendFor(chosen, job.plan, devices, flags.backend ?? job.parallel?.backend ?? "auto");
  for (const warning of backend.warnings) process.stderr.write(`warning: ${warning}\n`);
  const warnings = checkTrainingShape({
    plan: job.plan,
    devices,
    batch: flags.batch ?? training.batch,
    batchFrom: flags.batch === undefined ? "file" : "flag",
    gpus: gpuCount(),
  });
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);

  const runtime = await import("../../runtime/index.js");
  // The main thread only builds the model and writes checkpoints; the workers do the math on their own backends.
  await runtime.initBackend("cpu");
  const { buildModel } = await import("../../runtime/model/index.js");
  const { deviceInterrupts } = await import("../../runtime/process/index.js");
  const saveDir =
    flags.save === false
      ? null
      : typeof flags.save === "string"
        ? flags.save
        : flags.resume !== undefined
          ? runFolderOf(flags.resume)
          : join("runs", job.plan.model);
  const interrupts = watchInterrupts(deviceInterrupts);
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
      backend: backend.backend,
      ...(backend.webgpuAdapters ? { webgpuAdapters: backend.webgpuAdapters } : {}),
      ...(flags.transport !== undefined ? { transport: flags.transport } : {}),
      ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
      ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
      ...(flags.resume !== undefined ? { resume: flags.resume } : {}),
      ...(flags.json ? { json: true } : {}),
      signal: interrupts.signal,
    });
    return EXIT.ok;
  } catch (error) {
    // Already printed: `interrupted at step N; kept DIR`.
    if (error instanceof runtime.Interrupted) return EXIT.interrupted;
    // Nothing started yet: another model's checkpoint is a wrong --resume, said in one line.
    if (error instanceof runtime.CheckpointMismatch) throw new UsageError(error.message);
    if (error instanceof runtime.TrainingFailure) {
      if (!error.reported) process.stderr.write(`error: ${error.message}\n`);
      return EXIT.trainingFailure;
    }
    throw error;
  } finally {
    interrupts.dispose();
  }
}

/**
 * The chosen backend, unless WebGPU cannot run this plan (`webgpuPlanProblem`): asked for, that is bad usage;
 * chosen by `auto`, the devices run wasm instead, and a warning says why.
 */
function backendFor(chosen: DeviceBackend, plan: Plan, devices: number, requested: Backend): DeviceBackend {
  if (chosen.backend !== "webgpu") return chosen;
  const problem = webgpuPlanProblem(plan, devices);
  if (problem === null) return chosen;
  if (requested === "webgpu") throw new UsageError(`--backend webgpu: ${problem}`);
  return { backend: "auto", warnings: [`not using the WebGPU adapters: ${problem}`] };
}

/**
 * Where a resumed run writes its checkpoints by default: the run folder `--resume` names, or the run folder
 * holding the checkpoint folder it names (never inside a checkpoint).
 */
function runFolderOf(resume: string): string {
  return existsSync(join(resume, "state.json")) ? dirname(resume) : resume;
}

/** `measured`: this machine's profile just measured, used whether or not it could be cached. */
function compileJob(file: string, flags: TrainFlags, measured?: DeviceProfile): Job | number {
  const source = loadSource(file);
  const result = compileSource(source, {
    training: trainingOverrides(flags),
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    ...(flags.devices !== undefined ? { devices: flags.devices } : {}),
    ...(flags.strategy !== undefined ? { strategy: flags.strategy } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    ...(flags.microbatches !== undefined ? { microbatches: flags.microbatches } : {}),
    // Just measured (cached or not) else this machine's cached profile, for the backend the run will use.
    ...(measured !== undefined && flags.profile === undefined
      ? { machineProfile: () => measured }
      : machineProfileOption(flags)),
  });
  printDiagnostics(result.diagnostics, source, { json: flags.json === true, stream: process.stderr });
  if (result.diagnostics.some((d) => d.severity === "error")) return EXIT.inputErrors;
  if (!result.graph || !result.training || !result.plan)
    throw new Error("the compiler stopped without a plan");
  return {
    graph: result.graph,
    training: result.training,
    plan: result.plan,
    ...(result.parallel ? { parallel: result.parallel } : {}),
    baseDir: dirname(file),
  };
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
    // A plan that does not make sense: one line per field to fix.
    for (const problem of plan.problems ?? [plan.error]) process.stderr.write(`${file}: error: ${problem}\n`);
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

/** `--data` / `--loss` on top of the job's settings (a model job's compile applied and checked them already). */
function withOverrides(training: TrainingConfig, flags: TrainFlags): TrainingConfig {
  return applyTrainingOverrides(training, trainingOverrides(flags));
}

/** The banner's strategy: what the plan chose, e.g. `auto → data×2, model×2` or `pipeline → 2 stages × 8 micro-batches`. */
function describeStrategy(plan: Plan): string {
  // `auto` that found fewer devices faster says so: the banner's device count is then not the one asked for.
  const fewer =
    plan.devices.allowed !== undefined
      ? ` (${plan.devices.count} of ${plan.devices.allowed} devices predicted faster)`
      : "";
  const stages = new Set(plan.layers.map((l) => l.placement.stage)).size;
  if (stages > 1)
    return `${plan.strategy} → ${stages} stages × ${plan.predicted.microbatches} micro-batches${fewer}`;
  const configs = new Set(plan.layers.map((l) => layerConfigLabel(l, false)));
  return `${plan.strategy} → ${[...configs].join(", ")}${fewer}`;
}
