import type { DeviceProfile } from "./cost/profile.js";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse } from "../grammar/index.js";
import { DiagnosticBag } from "./diagnostics/diagnostic.js";
import { SourceFile } from "./diagnostics/span.js";
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import type { ExpandedModel } from "./ir/expanded.js";
import type { Graph } from "./ir/graph.js";
import type { ParallelConfig, Strategy, TrainingConfig, TrainingOverrides } from "./ir/config.js";
import type { PassContext } from "./diagnostics/pass-context.js";
import { expandBlocks } from "./passes/expand-blocks.js";
import { lower } from "./passes/lower.js";
import { inferShapes } from "./passes/infer-shapes.js";
import { checkData, checkInputData } from "./passes/check-data.js";
import { applyTrainingOverrides, resolveParallel, resolveTraining } from "./passes/resolve-config.js";
import { estimateCosts, placeOptions, schedulePlan, type PlanModelOptions } from "./plan-model.js";
import { placeLayers } from "./passes/place-layers.js";
import type { CostTable } from "./cost/estimate-cost.js";
import type { Placement } from "./placement/placement-types.js";
import type { MicrobatchOrder, Plan } from "./plan/index.js";

/**
 * The compiler's passes, in order, by name: `--dump-after PASS` accepts exactly these, and each one's own
 * output is what it dumps (the cost table, the placement, the plan).
 */
export const PASS_NAMES = [
  "parse",
  "expand-blocks",
  "lower",
  "infer-shapes",
  "check-data",
  "estimate-cost",
  "place-layers",
  "schedule",
] as const;
export type PassName = (typeof PASS_NAMES)[number];

export interface CompileOptions {
  /** Which model of the file; required when it holds several. */
  readonly model?: string;
  readonly devices?: number;
  readonly strategy?: Strategy;
  /** A built-in profile name, a file path, or the profile itself. */
  readonly profile?: string | DeviceProfile;
  /** This machine's measured profile, when neither `profile` nor the file names one (PlanModelOptions). */
  readonly machineProfile?: PlanModelOptions["machineProfile"];
  readonly microbatches?: number;
  /** Pipeline micro-batch order (default 1F1B). */
  readonly microbatchOrder?: MicrobatchOrder;
  /** ZeRO-1 for all-data plans: `auto` (default) when the replicated state does not fit, `zero-1`, `replicated`. */
  readonly optimizerSharding?: PlanModelOptions["optimizerSharding"];
  /** Stop after this pass (for `--dump-after` and for `check`, which needs no plan). */
  readonly stopAfter?: PassName;
  /** `--data` / `--loss` from the command line: they replace the file's before check-data runs. */
  readonly training?: TrainingOverrides;
}

/** Everything a compile produced, as far as it got. Diagnostics are values; this never throws for user input. */
export interface CompileResult {
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
  readonly models?: readonly ExpandedModel[];
  readonly model?: ExpandedModel;
  readonly graph?: Graph;
  readonly training?: TrainingConfig;
  readonly parallel?: ParallelConfig;
  /** After `estimate-cost`: every layer's cost under every configuration. */
  readonly costs?: CostTable;
  /** After `place-layers`: each layer's configuration and stage, before the schedule. */
  readonly placement?: Placement;
  readonly plan?: Plan;
  /** The pass that ran last. */
  readonly reached: PassName;
}

export function readSource(path: string): SourceFile {
  return new SourceFile(path, readFileSync(path, "utf8"));
}

/** Runs the pipeline over one source until an error stops it, or until `stopAfter`. */
export function compileSource(source: SourceFile, options: CompileOptions = {}): CompileResult {
  const diagnostics = new DiagnosticBag();
  const ctx: PassContext = { diagnostics, source };
  const baseDir = dirname(source.path);
  const done = (reached: PassName, rest: Partial<CompileResult> = {}): CompileResult => ({
    source,
    diagnostics: inSourceOrder(diagnostics.items),
    reached,
    ...rest,
  });
  const stopsAt = (pass: PassName) => options.stopAfter === pass || diagnostics.hasErrors();

  const parsed = parse(source);
  for (const d of parsed.diagnostics) diagnostics.add(d);
  if (stopsAt("parse")) return done("parse");

  const models = expandBlocks(parsed.ast, ctx);
  if (diagnostics.hasErrors()) {
    checkDataDespiteErrors(models, options, ctx, baseDir);
    return done("expand-blocks", { models });
  }
  if (options.stopAfter === "expand-blocks") return done("expand-blocks", { models });
  const model = pickModel(models, options.model, source, diagnostics);
  if (!model) return done("expand-blocks", { models });

  const lowered = lower(model, ctx);
  if (stopsAt("lower")) return done("lower", { models, model, graph: lowered });

  const graph = inferShapes(lowered, ctx);
  const training = applyTrainingOverrides(resolveTraining(model, ctx, baseDir), options.training);
  const parallel = resolveParallel(model, ctx);
  if (stopsAt("infer-shapes")) return done("infer-shapes", { models, model, graph, training, parallel });

  checkData(graph, training, ctx);
  if (stopsAt("check-data")) return done("check-data", { models, model, graph, training, parallel });

  const soFar = { models, model, graph, training, parallel };
  const asked = placeOptions(
    graph,
    training,
    parallel,
    {
      baseDir,
      ...(options.devices !== undefined ? { devices: options.devices } : {}),
      ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      ...(options.machineProfile !== undefined ? { machineProfile: options.machineProfile } : {}),
      ...(options.microbatches !== undefined ? { microbatches: options.microbatches } : {}),
      ...(options.microbatchOrder !== undefined ? { microbatchOrder: options.microbatchOrder } : {}),
      ...(options.optimizerSharding !== undefined ? { optimizerSharding: options.optimizerSharding } : {}),
    },
    ctx,
  );
  if (!asked) return done("estimate-cost", soFar);
  const costs = estimateCosts(graph, asked);
  if (stopsAt("estimate-cost")) return done("estimate-cost", { ...soFar, costs });

  const placement = placeLayers(graph, asked, ctx, costs);
  if (!placement || stopsAt("place-layers"))
    return done("place-layers", { ...soFar, costs, ...(placement ? { placement } : {}) });

  const plan = schedulePlan(graph, training, placement, options.microbatchOrder);
  return done("schedule", { ...soFar, costs, placement, plan });
}

function pickModel(
  models: readonly ExpandedModel[],
  wanted: string | undefined,
  source: SourceFile,
  diagnostics: DiagnosticBag,
): ExpandedModel | undefined {
  if (wanted !== undefined) {
    const found = models.find((m) => m.name === wanted);
    if (!found) {
      diagnostics.report("MG1901", source.span(0, 0), [
        wanted,
        models.map((m) => m.name).join(", ") || "none",
      ]);
    }
    return found;
  }
  if (models.length > 1) {
    diagnostics.report("MG1902", source.span(0, 0), [models.length, models.map((m) => m.name).join(", ")]);
    return undefined;
  }
  return models[0];
}

/**
 * After front-end errors the graph cannot be built, but the data check needs only the input declarations and
 * the train section, so a user still learns about a data mismatch in the same run (EXAMPLES.md shows both).
 */
function checkDataDespiteErrors(
  models: readonly ExpandedModel[],
  options: CompileOptions,
  ctx: PassContext,
  baseDir: string,
): void {
  const wanted = options.model;
  const model =
    wanted === undefined
      ? models.length === 1
        ? models[0]
        : undefined
      : models.find((m) => m.name === wanted);
  if (!model || model.inputs.length !== 1) return;
  const input = model.layers[model.inputs[0]!]?.input;
  const layer = model.layers[model.inputs[0]!];
  if (!input || !layer) return;
  const quiet = { ...ctx, diagnostics: new DiagnosticBag() };
  const training = applyTrainingOverrides(resolveTraining(model, quiet, baseDir), options.training);
  // The train section's own errors are reported by the full pipeline once the rest is fixed.
  if (quiet.diagnostics.hasErrors()) return;
  checkInputData({ name: input.name, shape: input.shape, span: layer.span }, training, ctx);
}

/** Diagnostics in the order a reader meets them in the file (stable for equal positions). */
function inSourceOrder(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort((a, b) => (a.span.file === b.span.file ? a.span.start - b.span.start : 0));
}
