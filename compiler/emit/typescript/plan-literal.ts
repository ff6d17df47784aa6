import type { LiteralValue } from "./literals.js";

/** What the emitter reads of a plan: plan.schema.json's required core, so any full plan object fits. */
export interface PlanInput {
  readonly model: string;
  readonly strategy: string;
  readonly devices: { readonly count: number; readonly profile: string };
  readonly layers: readonly {
    readonly name: string;
    readonly op: string;
    readonly placement: {
      readonly kind: string;
      readonly dataDegree: number;
      readonly modelDegree: number;
      readonly stage: number;
      readonly devices: readonly number[];
    };
  }[];
  readonly predicted: { readonly stepTimeMs: number };
}

/** Plans up to this many layers are written into the program; larger ones are read from the plan file. */
export const INLINE_PLAN_LAYERS = 24;

/**
 * The plan as the program holds it inline: the decisions (strategy, devices, one line per layer with its
 * configuration), not the cost model's working: per-layer predictions and reasons stay in the plan file and
 * `mgpuc explain`, so the program stays short enough to read.
 */
export function planLiteral(plan: PlanInput): Record<string, LiteralValue> {
  const pipelined = plan.layers.some((layer) => layer.placement.stage > 0);
  // fromEntries defines own properties, so a layer called `__proto__` is an entry, not a prototype.
  const layers = Object.fromEntries(
    plan.layers.map((layer) => [layer.name, configuration(layer.placement, pipelined)]),
  );
  return {
    strategy: plan.strategy,
    devices: { count: plan.devices.count, profile: plan.devices.profile },
    predictedStepMs: round(plan.predicted.stepTimeMs),
    layers,
  };
}

/** `data×2`, `model×4`, `data×2 model×2`; with pipeline stages, `data×1 · stage 1 (devices 1)`. */
export function configuration(p: PlanInput["layers"][number]["placement"], pipelined: boolean): string {
  const split =
    p.kind === "data"
      ? `data×${p.dataDegree}`
      : p.kind === "model"
        ? `model×${p.modelDegree}`
        : `data×${p.dataDegree} model×${p.modelDegree}`;
  return pipelined ? `${split} · stage ${p.stage} (devices ${p.devices.join(",")})` : split;
}

/** Five significant digits: a prediction, not a measurement, and stable across float noise. */
function round(ms: number): number {
  return Number(ms.toPrecision(5));
}
