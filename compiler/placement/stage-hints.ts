import type { Hint } from "../ir/expanded.js";
import type { Graph } from "../ir/graph.js";
import type { PassContext } from "../diagnostics/pass-context.js";
import type { HintConstraints } from "./hints.js";
import { pipelineLayouts, stageCounts, type StageLayout } from "./pipeline-plans.js";

/** A layer `@stage(N)` pins: its position in the topological order, its stage, the hint. */
interface Pin {
  readonly v: number;
  readonly stage: number;
  readonly hint: Hint;
}

/** What every stage must look like for the hints to hold: one device count, or at least two devices. */
interface StageSize {
  /** `@devices(N)` somewhere: every stage has N devices (a layer's d·m is its stage's device count). */
  readonly exact?: { readonly n: number; readonly v: number; readonly hint: Hint };
  /** `@model` somewhere: its stage needs at least two devices. */
  readonly split?: { readonly v: number; readonly hint: Hint };
}

const hintText = (h: Hint): string => (h.value === undefined ? `@${h.kind}` : `@${h.kind}(${h.value})`);

const stagesText = (from: number, to: number): string =>
  from === to ? `stage ${from} needs a layer` : `stages ${from} to ${to} need a layer each`;

/**
 * `@stage(N ≥ 1)` forces a pipeline, and a pipeline is K stages of g devices each (`pipelineLayouts`): every
 * layer's `@devices(N)` then means g = N and `@model` means g ≥ 2, and every pinned layer needs enough layers
 * around it to fill the other stages. Checked here, before any cost is computed, so a plan that cannot exist
 * gets an error at the hint that makes it so, with the device count that would work, instead of MG3008's
 * memory message. Reports and returns false when no layout fits.
 */
export function checkStageHints(
  graph: Graph,
  devices: number,
  hints: HintConstraints,
  ctx: PassContext,
): boolean {
  const names = graph.nodes.map((n) => n.name);
  const pins: Pin[] = [];
  hints.asks.forEach((a, v) => {
    if (a.stage) pins.push({ v, stage: hints.stage[v]!, hint: a.stage });
  });
  if (!checkSpacing(pins, names, ctx)) return false;
  const size = stageSize(hints, names, ctx);
  if (!size) return false;
  const layers = graph.nodes.length;
  const last = pins.at(-1)!;
  if (fittingLayout(devices, layers, last, size)) return true;

  const maxStage = last.stage;
  const first = pins.find((p) => p.stage === maxStage)!;
  const { why, fix } = explain(devices, layers, first, last, size, names);
  ctx.diagnostics.report("MG3013", first.hint.span, [hintText(first.hint), names[first.v]!, devices, why], {
    hint: fix,
  });
  return false;
}

/**
 * Stages are contiguous and non-empty: a layer pinned to stage S needs a layer for each of the stages between
 * the pin before it and S (the stages before it, for the first pin). True when every pin has them.
 */
function checkSpacing(pins: readonly Pin[], names: readonly string[], ctx: PassContext): boolean {
  let prev: Pin | undefined;
  for (const pin of pins) {
    const fromV = prev?.v ?? -1;
    const fromStage = prev?.stage ?? -1;
    const between = pin.v - fromV - 1;
    const needed = pin.stage - fromStage - 1;
    if (needed > between) {
      const why =
        prev === undefined
          ? `${stagesText(0, pin.stage - 1)} before it, and ${between} layer(s) come before it`
          : `${stagesText(fromStage + 1, pin.stage - 1)} between '${names[prev.v]}' (stage ${fromStage}) ` +
            `and it, and ${between} layer(s) come between`;
      const fix = `pin it to stage ${fromStage + 1 + between} at most, or pin a later layer`;
      ctx.diagnostics.report("MG3016", pin.hint.span, [hintText(pin.hint), names[pin.v]!, why], {
        hint: fix,
      });
      return false;
    }
    prev = pin;
  }
  return true;
}

/** The stage size the hints ask for; undefined, after reporting, when two of them disagree. */
function stageSize(
  hints: HintConstraints,
  names: readonly string[],
  ctx: PassContext,
): StageSize | undefined {
  let exact: StageSize["exact"];
  let split: StageSize["split"];
  for (let v = 0; v < hints.asks.length; v++) {
    const a = hints.asks[v]!;
    if (a.devices) {
      const n = a.devices.value ?? 1;
      if (exact && exact.n !== n) {
        contradiction(
          a.devices,
          v,
          exact.hint,
          exact.v,
          "every stage has the same number of devices",
          names,
          ctx,
        );
        return undefined;
      }
      exact ??= { n, v, hint: a.devices };
    }
    if (a.model) split ??= { v, hint: a.model };
  }
  if (exact?.n === 1 && split) {
    const [later, earlier] = split.v > exact.v ? [split, exact] : [exact, split];
    const why = "@model needs at least 2 devices in its stage, and @devices(1) makes every stage 1 device";
    contradiction(later.hint, later.v, earlier.hint, earlier.v, why, names, ctx);
    return undefined;
  }
  return { ...(exact ? { exact } : {}), ...(split ? { split } : {}) };
}

function contradiction(
  hint: Hint,
  v: number,
  other: Hint,
  otherV: number,
  why: string,
  names: readonly string[],
  ctx: PassContext,
): void {
  ctx.diagnostics.report(
    "MG3015",
    hint.span,
    [hintText(hint), names[v]!, hintText(other), names[otherV]!, why],
    { hint: `drop one of them, or the @stage hints that make the pipeline` },
  );
}

const sizeFits = (g: number, size: StageSize): boolean =>
  (size.exact === undefined || g === size.exact.n) && (size.split === undefined || g >= 2);

/** The layers after the last pin fill the stages after its own. */
const tailFits = (layout: StageLayout, layers: number, last: Pin): boolean =>
  layers - 1 - last.v >= layout.stages - 1 - last.stage;

/** The layouts auto's search tries for a pipeline reaching the last pinned stage (place-layers' searchAuto). */
function layoutsFor(devices: number, layers: number, last: Pin): StageLayout[] {
  return pipelineLayouts(devices, stageCounts(devices, layers, Math.max(2, last.stage + 1)), true);
}

function fittingLayout(devices: number, layers: number, last: Pin, size: StageSize): StageLayout | undefined {
  return layoutsFor(devices, layers, last).find(
    (l) => sizeFits(l.groupSize, size) && tailFits(l, layers, last),
  );
}

/** Why no layout fits on `devices`, and the smallest device count where one does. */
function explain(
  devices: number,
  layers: number,
  first: Pin,
  last: Pin,
  size: StageSize,
  names: readonly string[],
): { why: string; fix: string } {
  const S = last.stage;
  const layouts = layoutsFor(devices, layers, last);
  const sized = layouts.find((l) => sizeFits(l.groupSize, size));
  const of = (l: StageLayout) => `${l.stages} stages of ${l.groupSize}`;
  const asked = size.exact
    ? `${hintText(size.exact.hint)} on '${names[size.exact.v]}' needs stages of ${size.exact.n} devices`
    : `@model on '${names[size.split!.v]}' needs stages of at least 2 devices`;
  let why: string;
  if (sized) {
    // Stages of that size exist, but so many that the layers after the last pin cannot fill them.
    why =
      `${asked}, so ${devices} devices make ${size.exact ? "" : "at least "}${sized.stages} stages, and ` +
      `${layers - 1 - last.v} layer(s) after '${names[last.v]}' are left for stages ${S + 1} to ${sized.stages - 1}`;
  } else {
    const offered = [...new Set(layouts.map(of))].join(" or ");
    why = `it needs at least ${S + 1} pipeline stages, ${asked}, and ${devices} devices make ${offered}`;
  }
  // With g = N (or 2 for @model) and K = S + 1 every pin fits, so the search ends by (S + 1) · g.
  const bound = (S + 1) * (size.exact?.n ?? (size.split ? 2 : 1));
  for (let n = 1; n <= bound; n++) {
    const layout = n === devices ? undefined : fittingLayout(n, layers, last, size);
    if (!layout) continue;
    const split = size.split
      ? `, model degree ${layout.groupSize === 2 ? "2" : "≥ 2"} for @model on '${names[size.split.v]}'`
      : "";
    const drop = [first.hint, size.exact?.hint ?? size.split?.hint].filter((h): h is Hint => !!h);
    return {
      why,
      fix:
        `${n > devices ? "it needs at least" : "it fits on"} ${n} devices: ${of(layout)}${split} ` +
        `(--devices ${n}); ` +
        `or drop ${drop.map(hintText).join(" or ")}`,
    };
  }
  return { why, fix: `drop ${hintText(first.hint)}` };
}
