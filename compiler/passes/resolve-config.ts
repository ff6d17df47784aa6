import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { didYouMean } from "../diagnostics/suggest.js";
import type { Span } from "../diagnostics/span.js";
import {
  type Backend,
  BACKENDS,
  type DataSource,
  type Loss,
  type Optimizer,
  type ParallelConfig,
  type Strategy,
  type Target,
  type TrainingConfig,
  type TrainingOverrides,
} from "../ir/config.js";
import type { ExpandedModel, Section } from "../ir/expanded.js";
import type { Value } from "../ir/values.js";
import type { ArgSchema } from "../ops/arg-schema.js";
import { checkArgs, showValue } from "./check-args.js";
import { DATA_ARGS, LOSSES, METRICS, OPTIMIZER_ARGS, STRATEGIES, TARGETS } from "./config-schemas.js";
import type { PassContext } from "../diagnostics/pass-context.js";

type Spans = Partial<Record<string, Span>>;

/**
 * The `train` section with Keras's defaults filled in (rmsprop, 1 epoch, batch 32, no metrics, no validation,
 * seed 0) and every value checked at its span. Data paths are resolved against `baseDir`; a missing data file
 * is only a warning here, since it may be created before training starts.
 */
export function resolveTraining(model: ExpandedModel, ctx: PassContext, baseDir: string): TrainingConfig {
  const values = entries(model.train);
  const spans: Spans = {};
  for (const [key, value] of values) spans[key] = value.span;
  const get = (key: string) => values.get(key);
  const optimizerValue = get("optimizer");
  const optimizer = (optimizerValue && resolveOptimizer(optimizerValue, ctx)) ?? defaultOptimizer();
  const targetValue = get("target");
  const target = targetValue && resolveTarget(targetValue, ctx);
  // `target: input` reads no labels, so a label file that is not there is no reason to warn.
  const readsLabels = target !== "input";
  const dataValue = get("data");
  const data = dataValue && resolveData(dataValue, "data", ctx, baseDir, readsLabels);
  const lossValue = get("loss");
  const loss = lossValue && resolveLoss(lossValue, ctx);
  const validationValue = get("validation");
  let validation: number | DataSource = 0;
  if (validationValue?.kind === "number") {
    validation = fraction(validationValue, "validation", ctx) ?? 0;
  } else if (validationValue) {
    validation = resolveData(validationValue, "validation", ctx, baseDir, readsLabels) ?? 0;
  }
  const metricsValue = get("metrics");
  return {
    ...(data ? { data } : {}),
    ...(target ? { target } : {}),
    optimizer,
    ...(loss ? { loss } : {}),
    metrics: metricsValue ? resolveMetrics(metricsValue, ctx) : [],
    epochs: integer(get("epochs"), "epochs", 1, ctx) ?? 1,
    batch: integer(get("batch"), "batch", 1, ctx) ?? 32,
    validation,
    seed: integer(get("seed"), "seed", 0, ctx) ?? 0,
    spans,
  };
}

/** The file's `train` settings with the command line's on top; each overridden span points at its flag. */
export function applyTrainingOverrides(
  training: TrainingConfig,
  overrides: TrainingOverrides | undefined,
): TrainingConfig {
  if (!overrides?.data && !overrides?.loss) return training;
  const { data, loss } = overrides;
  return {
    ...training,
    ...(data ? { data: data.value } : {}),
    ...(loss ? { loss: loss.value } : {}),
    spans: {
      ...training.spans,
      ...(data ? { data: data.span } : {}),
      ...(loss ? { loss: loss.span } : {}),
    },
  };
}

/** The `parallel` section: devices (>= 1 or `all`), strategy, profile, micro-batches, backend. */
export function resolveParallel(model: ExpandedModel, ctx: PassContext): ParallelConfig {
  const values = entries(model.parallel);
  const spans: Spans = {};
  for (const [key, value] of values) spans[key] = value.span;
  const devicesValue = values.get("devices");
  let devices: number | "all" = "all";
  if (devicesValue?.kind === "name" && devicesValue.name === "all") devices = "all";
  else if (devicesValue?.kind === "name") enumError(devicesValue, "devices", "devices", ["all"], ctx);
  else if (devicesValue) devices = integer(devicesValue, "devices", 1, ctx) ?? "all";
  const strategyValue = values.get("strategy");
  const strategy = strategyValue
    ? (pickName(strategyValue, "strategy", "strategy", STRATEGIES, ctx) as Strategy)
    : "auto";
  const profileValue = values.get("profile");
  let profile: string | undefined;
  if (profileValue?.kind === "name") profile = profileValue.name;
  else if (profileValue?.kind === "string") profile = profileValue.value;
  else if (profileValue) typeError(profileValue, "profile", "a profile name or a path", ctx);
  const microbatches = integer(values.get("microbatches"), "microbatches", 1, ctx);
  const backendValue = values.get("backend");
  const backend = backendValue
    ? (pickName(backendValue, "backend", "backend", BACKENDS, ctx) as Backend | undefined)
    : undefined;
  return {
    devices,
    strategy: strategy ?? "auto",
    ...(profile !== undefined ? { profile } : {}),
    ...(microbatches !== undefined ? { microbatches } : {}),
    ...(backend !== undefined ? { backend } : {}),
    spans,
  };
}

function entries(section: Section | undefined): Map<string, Value> {
  return new Map((section?.entries ?? []).map((e) => [e.key, e.value]));
}

function defaultOptimizer(): Optimizer {
  return { kind: "rmsprop", lr: 0.001, rho: 0.9, epsilon: 1e-7 };
}

function resolveOptimizer(value: Value, ctx: PassContext): Optimizer | undefined {
  const resolved = callOf(value, "optimizer", OPTIMIZER_ARGS, ctx);
  if (!resolved) return undefined;
  const a = resolved.values as Record<string, number | boolean>;
  const n = (k: string) => a[k] as number;
  switch (resolved.name) {
    case "sgd":
      return { kind: "sgd", lr: n("lr"), momentum: n("momentum"), nesterov: a["nesterov"] === true };
    case "adam":
      return { kind: "adam", lr: n("lr"), beta1: n("beta1"), beta2: n("beta2"), epsilon: n("epsilon") };
    case "rmsprop":
      return { kind: "rmsprop", lr: n("lr"), rho: n("rho"), epsilon: n("epsilon") };
    default:
      return { kind: "adagrad", lr: n("lr"), initialAccumulator: n("initial_accumulator") };
  }
}

function resolveData(
  value: Value,
  key: string,
  ctx: PassContext,
  baseDir: string,
  readsLabels: boolean,
): DataSource | undefined {
  const resolved = callOf(value, key, DATA_ARGS, ctx);
  if (!resolved) return undefined;
  const a = resolved.values;
  const file = (name: string): string => {
    const path = resolve(baseDir, a[name] as string);
    const written = value.kind === "call" ? fileArgSpan(value, name) : undefined;
    const read = name !== "labels" || readsLabels;
    if (resolved.ok && read && !existsSync(path))
      ctx.diagnostics.report("MG2204", written ?? value.span, [path]);
    return path;
  };
  switch (resolved.name) {
    case "mnist":
      return { kind: "mnist" };
    case "idx":
      return { kind: "idx", images: file("images"), labels: file("labels") };
    case "csv":
      return { kind: "csv", path: file("path"), label: a["label"] as string };
    case "text":
      return { kind: "text", path: file("path"), block: a["block"] as number };
    case "moby_dick":
      return { kind: "moby_dick", block: a["block"] as number };
    default: {
      const shape = a["shape"] as readonly number[] | undefined;
      return {
        kind: "synthetic",
        samples: a["samples"] as number,
        classes: a["classes"] as number,
        ...(shape ? { shape } : {}),
      };
    }
  }
}

function fileArgSpan(value: Extract<Value, { kind: "call" }>, name: string): Span | undefined {
  const schemas = DATA_ARGS[value.name] ?? [];
  const index = schemas.findIndex((s) => s.name === name);
  return value.args.keyword.find((k) => k.name === name)?.value.span ?? value.args.positional[index]?.span;
}

/** `name` or `name(args)` from a table of schemas; unknown names get a did-you-mean. */
function callOf(
  value: Value,
  key: string,
  table: Readonly<Record<string, readonly ArgSchema[]>>,
  ctx: PassContext,
): { name: string; values: Record<string, unknown>; ok: boolean } | undefined {
  if (value.kind !== "name" && value.kind !== "call") {
    typeError(value, key, `one of ${Object.keys(table).join(", ")}`, ctx);
    return undefined;
  }
  const name = pickName(value, key, key, Object.keys(table), ctx);
  if (name === undefined) return undefined;
  const schemas = table[name] ?? [];
  if (value.kind === "name")
    return { name, ...checkArgs({ positional: [], keyword: [], span: value.span }, schemas, name, ctx) };
  return { name, ...checkArgs(value.args, schemas, name, ctx, value.span) };
}

function pickName(
  value: Value,
  key: string,
  what: string,
  known: readonly string[],
  ctx: PassContext,
): string | undefined {
  const name = value.kind === "name" || value.kind === "call" ? value.name : undefined;
  if (name === undefined) {
    typeError(value, key, `one of ${known.join(", ")}`, ctx);
    return undefined;
  }
  if (!known.includes(name)) {
    enumError(value, name, what, known, ctx);
    return undefined;
  }
  return name;
}

function enumError(
  value: Value,
  name: string,
  what: string,
  known: readonly string[],
  ctx: PassContext,
): void {
  const hint = didYouMean(name, known);
  ctx.diagnostics.report("MG2201", value.span, [what, name, known.join(", ")], hint ? { hint } : {});
}

function resolveLoss(value: Value, ctx: PassContext): Loss | undefined {
  const name = pickName(value, "loss", "loss", LOSSES, ctx);
  if (name !== undefined && value.kind === "call") checkArgs(value.args, [], name, ctx, value.span);
  return name as Loss | undefined;
}

/** `target: input`; a bare name only (`input(...)` is a call, not a target). */
function resolveTarget(value: Value, ctx: PassContext): Target | undefined {
  if (value.kind !== "name") return typeError(value, "target", `one of ${TARGETS.join(", ")}`, ctx);
  return pickName(value, "target", "target", TARGETS, ctx) as Target | undefined;
}

function resolveMetrics(value: Value, ctx: PassContext): string[] {
  const items = value.kind === "list" ? value.items : [value];
  const out: string[] = [];
  for (const item of items) {
    const name = pickName(item, "metrics", "metric", METRICS, ctx);
    if (name !== undefined && !out.includes(name)) out.push(name);
  }
  return out;
}

function integer(value: Value | undefined, key: string, min: number, ctx: PassContext): number | undefined {
  if (value === undefined) return undefined;
  if (value.kind !== "number" || !value.isInteger) return typeError(value, key, "an integer", ctx);
  if (value.value < min) {
    ctx.diagnostics.report("MG2203", value.span, [key, `an integer >= ${min}`, showValue(value)]);
    return undefined;
  }
  return value.value;
}

function fraction(
  value: Extract<Value, { kind: "number" }>,
  key: string,
  ctx: PassContext,
): number | undefined {
  if (value.value < 0 || value.value >= 1) {
    ctx.diagnostics.report("MG2203", value.span, [
      key,
      "a fraction in [0, 1) or a data source",
      showValue(value),
    ]);
    return undefined;
  }
  return value.value;
}

function typeError(value: Value, key: string, expected: string, ctx: PassContext): undefined {
  ctx.diagnostics.report("MG2202", value.span, [key, expected, showValue(value)]);
  return undefined;
}
