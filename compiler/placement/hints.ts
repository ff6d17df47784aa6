import type { LayerConfig } from "../cost/layer-config.js";
import { isSplittable } from "../cost/split-kind.js";
import type { MessageCode } from "../diagnostics/messages.js";
import type { Span } from "../diagnostics/span.js";
import type { Hint } from "../ir/expanded.js";
import type { Graph } from "../ir/graph.js";
import type { PassContext } from "../diagnostics/pass-context.js";

/** The hints that bind one layer, for explaining a plan that cannot honour them (`stage-hints.ts`). */
export interface LayerAsks {
  /** `@model` where it binds this layer (a block call's `@model` binds only the layers that can be split). */
  readonly model?: Hint;
  readonly devices?: Hint;
  readonly stage?: Hint;
}

/** What the placement hints of every layer allow. Infeasible hints are reported once, with their span. */
export interface HintConstraints {
  /** Per node: may it take this configuration (in a plan without pipeline stages, or inside a stage)? */
  readonly allows: readonly ((c: LayerConfig) => boolean)[];
  /** Per node: the stage `@stage(N)` pins it to, or −1. */
  readonly stage: readonly number[];
  /** The largest pinned stage, or −1. */
  readonly maxStage: number;
  /** Per node: the hints behind `allows` and `stage`. */
  readonly asks: readonly LayerAsks[];
  readonly ok: boolean;
}

/** No hints at all: what an explicit strategy (which ignores hints) searches with. */
export function noHints(graph: Graph): HintConstraints {
  return {
    allows: graph.nodes.map(() => () => true),
    stage: graph.nodes.map(() => -1),
    maxStage: -1,
    asks: graph.nodes.map(() => ({})),
    ok: true,
  };
}

/**
 * Reads `@data`, `@model`, `@devices(N)`, `@stage(N)` (LANGUAGE.md) as constraints on configurations. A hint
 * after a block call binds every layer inside it, with one exception: its `@model` binds the layers that can
 * be split and leaves the others (a flatten, a concat, a layernorm in the block) to the search; only a block
 * with no layer to split is an error. A hint every layer of a block inherits is reported once.
 */
export function readHints(graph: Graph, devices: number, ctx: PassContext): HintConstraints {
  const bag = ctx.diagnostics;
  const before = bag.errorCount;
  const reported = new Set<string>();
  const once = (code: MessageCode, span: Span, args: (string | number)[], hint?: string): void => {
    const key = `${code}:${span.start}:${span.end}`;
    if (reported.has(key)) return;
    reported.add(key);
    bag.report(code, span, args, hint === undefined ? {} : { hint });
  };
  // A block call's @model (by span): the block's name, and whether any layer inside can be split.
  const blockModel = new Map<number, { hint: Hint; splittable: boolean }>();
  const allows: ((c: LayerConfig) => boolean)[] = [];
  const stage: number[] = [];
  const asks: LayerAsks[] = [];
  let lastStage = -1;
  let lastStageName = "";
  for (const node of graph.nodes) {
    let wantData = false;
    let modelHint: Hint | undefined;
    let devicesHint: Hint | undefined;
    let stageHint: Hint | undefined;
    let group: number | undefined;
    let pinned = -1;
    for (const hint of node.hints) {
      const value = hint.value ?? 0;
      if (hint.kind === "data") wantData = true;
      if (hint.kind === "model") {
        const splittable = isSplittable(node);
        if (hint.onBlock !== undefined) {
          const seen = blockModel.get(hint.span.start);
          blockModel.set(hint.span.start, { hint, splittable: splittable || (seen?.splittable ?? false) });
        } else if (!splittable) once("MG3002", hint.span, [node.name, node.op]);
        if (splittable) modelHint = hint;
        if (devices < 2) once("MG3003", hint.span, [node.name, devices], "--devices 2 or more");
      }
      if (hint.kind === "devices") {
        if (value < 1 || value > devices || devices % value !== 0) {
          once("MG3004", hint.span, [value, node.name, devices]);
        } else {
          group = value;
          devicesHint = hint;
        }
      }
      if (hint.kind === "stage") {
        if (value >= devices) {
          const fix = `a pipeline of ${value + 1} stages needs at least ${value + 1} devices (--devices ${value + 1})`;
          once("MG3005", hint.span, [value, node.name, devices, devices - 1], fix);
        } else {
          pinned = value;
          stageHint = hint;
        }
      }
    }
    const span = node.hints[0]?.span ?? node.span;
    const wantModel = modelHint !== undefined;
    if (wantData && wantModel)
      once("MG3007", span, [node.name, "@data asks for model degree 1, @model for more"]);
    if (wantModel && group === 1)
      once("MG3007", span, [node.name, "@model needs more than the one device of @devices(1)"]);
    if (pinned >= 0) {
      if (pinned < lastStage) once("MG3009", span, [node.name, pinned, lastStage, lastStageName]);
      lastStage = pinned;
      lastStageName = node.name;
    }
    stage.push(pinned);
    asks.push({
      ...(modelHint ? { model: modelHint } : {}),
      ...(devicesHint ? { devices: devicesHint } : {}),
      ...(stageHint ? { stage: stageHint } : {}),
    });
    allows.push(
      (c) =>
        (!wantData || c.m === 1) && (!wantModel || c.m > 1) && (group === undefined || c.d * c.m === group),
    );
  }
  for (const { hint, splittable } of blockModel.values()) {
    if (!splittable) once("MG3014", hint.span, [hint.onBlock ?? ""]);
  }
  const maxStage = stage.reduce((a, b) => Math.max(a, b), -1);
  return { allows, stage, maxStage, asks, ok: bag.errorCount === before };
}

/** Whether a graph carries any placement hint at all. */
export function hasHints(graph: Graph): boolean {
  return graph.nodes.some((n) => n.hints.length > 0);
}
