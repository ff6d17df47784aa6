import { formatBytes, formatMs } from "../placement/format.js";
import type { Plan, PlanLayer, PlanOptimizerSharding } from "../plan/plan-types.js";
import type { SplitAxis } from "../plan/layer-layout.js";

/** What `mgpuc explain --json` prints: the same content as the text, as data. */
export interface Explanation {
  readonly model: string;
  /** The devices the plan uses. */
  readonly devices: number;
  /** When `auto` uses fewer devices than it may: how many it may, and the best step with all of them busy. */
  readonly allowedDevices?: number;
  readonly allAllowedStepTimeMs?: number | null;
  readonly profile: string;
  readonly strategy: string;
  readonly batch: number;
  readonly stepTimeMs: number;
  readonly baselines: Plan["predicted"]["baselines"];
  readonly stages: number;
  readonly microbatches: number;
  /** All-data plans on several devices: whether the optimizer state is replicated or ZeRO-1's 1/N slices. */
  readonly optimizerSharding?: PlanOptimizerSharding;
  readonly layers: readonly {
    readonly name: string;
    readonly config: string;
    readonly stage: number;
    readonly computeMs: number;
    readonly commMs: number;
    readonly memoryBytes: number;
    readonly runnerUp: { readonly config: string; readonly extraMs: number } | null;
    readonly why: string;
  }[];
}

/** `data×8`, `model×8`, `d2×m4`; in a pipelined plan `stage 1` (one device) or `data×2 stage 1`. */
const SPLIT_LABELS: Readonly<Record<SplitAxis, string>> = {
  none: "repl.",
  units: "units",
  channels: "chan.",
  heads: "heads",
  vocabulary: "vocab",
  input_features: "input",
};

export function layerConfigLabel(layer: PlanLayer, pipelined: boolean): string {
  const p = layer.placement;
  const degrees =
    p.modelDegree === 1
      ? `data×${p.dataDegree}`
      : p.dataDegree === 1
        ? `model×${p.modelDegree}`
        : `d${p.dataDegree}×m${p.modelDegree}`;
  // What the model group cuts (plan v2): `model×4 heads`, `model×4 input`, `model×4 repl.`.
  const base = p.split === undefined ? degrees : `${degrees} ${SPLIT_LABELS[p.split]}`;
  if (!pipelined) return base;
  return p.dataDegree * p.modelDegree === 1 ? `stage ${p.stage}` : `${base} stage ${p.stage}`;
}

export function explainJson(plan: Plan): Explanation {
  const pipelined = plan.layers.some((l) => l.placement.stage > 0);
  return {
    model: plan.model,
    devices: plan.devices.count,
    ...(plan.devices.allowed !== undefined
      ? {
          allowedDevices: plan.devices.allowed,
          allAllowedStepTimeMs: plan.predicted.allAllowedStepTimeMs ?? null,
        }
      : {}),
    profile: plan.devices.profile,
    strategy: plan.strategy,
    batch: plan.training.batch,
    stepTimeMs: plan.predicted.stepTimeMs,
    baselines: plan.predicted.baselines,
    stages: plan.schedule.stages,
    microbatches: plan.schedule.microbatches,
    ...(plan.predicted.optimizerSharding ? { optimizerSharding: plan.predicted.optimizerSharding } : {}),
    layers: plan.layers.map((l) => ({
      name: l.name,
      config: layerConfigLabel(l, pipelined),
      stage: l.placement.stage,
      computeMs: l.predicted.computeMs,
      commMs: l.predicted.commMs,
      memoryBytes: l.predicted.memoryBytes,
      runnerUp: l.runnerUp ? { config: l.runnerUp.config, extraMs: l.runnerUp.extraMs } : null,
      why: l.reason,
    })),
  };
}

const baseline = (ms: number | null) => (ms === null ? "does not fit" : formatMs(ms));
const signed = (ms: number) => `${ms >= 0 ? "+" : "−"}${formatMs(Math.abs(ms))}`;

/** The text `mgpuc explain` prints: header, step vs baselines, then one row per layer (EXAMPLES.md). */
export function explainText(plan: Plan): string {
  const e = explainJson(plan);
  const b = e.baselines;
  const lines = [
    `${e.model} on ${e.devices} × ${e.profile}, strategy ${e.strategy}, global batch ${e.batch}`,
    `predicted step ${formatMs(e.stepTimeMs)}   (all data ${baseline(b.data)} · all model ${baseline(b.model)} · best pipeline ${baseline(b.pipeline)})`,
  ];
  if (e.allowedDevices !== undefined) lines.push(fewerDevices(e, e.allowedDevices));
  if (e.optimizerSharding !== undefined) lines.push(optimizerLine(e, e.optimizerSharding));
  if (e.stages > 1) {
    const bubble = (e.stages - 1) / (e.microbatches + e.stages - 1);
    lines.push(
      `pipeline: ${e.stages} stages, ${e.microbatches} micro-batches, bubble ${(bubble * 100).toFixed(0)}%`,
    );
  }
  lines.push("");
  const rows = [
    ["layer", "config", "compute", "comm", "mem/device", "runner-up", "why"],
    ...e.layers.map((l) => [
      l.name,
      l.config,
      formatMs(l.computeMs),
      formatMs(l.commMs),
      formatBytes(l.memoryBytes),
      l.runnerUp ? `${l.runnerUp.config} ${signed(l.runnerUp.extraMs)}` : "—",
      l.why,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) {
    lines.push(
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2)))
        .join("")
        .trimEnd(),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * `optimizer: ZeRO-1, state and update split 1/2 over the replicas: 0.52 ms faster and 807 KB less per device
 * than replicated`, or what ZeRO-1 would change.
 */
function optimizerLine(e: Explanation, o: PlanOptimizerSharding): string {
  // An all-data plan: every device holds every layer.
  const mine = e.layers.reduce((sum, l) => sum + l.memoryBytes, 0);
  const saved = formatBytes(Math.abs(o.otherMemoryPerDeviceBytes - mine));
  const dt = formatMs(Math.abs(o.otherStepTimeMs - e.stepTimeMs));
  if (o.chosen === "zero-1") {
    const faster = o.otherStepTimeMs >= e.stepTimeMs ? `${dt} faster and ` : `${dt} slower but `;
    return `optimizer: ZeRO-1, state and update split 1/${e.devices} over the replicas: predicted ${faster}${saved} less per device than replicated`;
  }
  const change = o.otherStepTimeMs >= e.stepTimeMs ? `${dt} slower` : `${dt} faster`;
  return `optimizer: replicated on every device (ZeRO-1 would hold ${saved} less per device, predicted ${change}; auto shards it only to fit memory)`;
}

/** Why `auto` left devices idle: `uses 1 of 4 devices: all 4 predicted 0.02 ms slower …`. */
function fewerDevices(e: Explanation, allowed: number): string {
  const used = `uses ${e.devices} of ${allowed} devices`;
  const all = e.allAllowedStepTimeMs;
  if (all === null || all === undefined) return `${used}: no plan keeping all ${allowed} busy fits in memory`;
  return (
    `${used}: all ${allowed} predicted ${formatMs(all - e.stepTimeMs)} slower than ${e.devices} ` +
    `(every layer spread over them), communication exceeds the compute saved`
  );
}
