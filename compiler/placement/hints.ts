import type { LayerConfig } from "../cost/layer-config.js";
import { isSplittable } from "../cost/split-kind.js";
import type { Graph } from "../ir/graph.js";
import type { PassContext } from "../passes/context.js";

/** What the placement hints of every layer allow. Infeasible hints are reported once, with their span. */
export interface HintConstraints {
  /** Per node: may it take this configuration (in a plan without pipeline stages)? */
  readonly allows: readonly ((c: LayerConfig) => boolean)[];
  /** Per node: the stage `@stage(N)` pins it to, or −1. */
  readonly stage: readonly number[];
  /** The largest pinned stage, or −1. */
  readonly maxStage: number;
  readonly ok: boolean;
}

/** Reads `@data`, `@model`, `@devices(N)`, `@stage(N)` (LANGUAGE.md) as constraints on configurations. */
export function readHints(graph: Graph, devices: number, ctx: PassContext): HintConstraints {
  const bag = ctx.diagnostics;
  const before = bag.errorCount;
  const allows: ((c: LayerConfig) => boolean)[] = [];
  const stage: number[] = [];
  let lastStage = -1;
  let lastStageName = "";
  for (const node of graph.nodes) {
    let wantData = false;
    let wantModel = false;
    let group: number | undefined;
    let pinned = -1;
    for (const hint of node.hints) {
      const value = hint.value ?? 0;
      if (hint.kind === "data") wantData = true;
      if (hint.kind === "model") {
        wantModel = true;
        if (!isSplittable(node)) bag.report("MG3002", hint.span, [node.name, node.op]);
        else if (devices < 2) bag.report("MG3003", hint.span, [node.name, devices]);
      }
      if (hint.kind === "devices") {
        if (value < 1 || value > devices || devices % value !== 0) {
          bag.report("MG3004", hint.span, [value, node.name, devices]);
        } else group = value;
      }
      if (hint.kind === "stage") {
        if (value >= devices) bag.report("MG3005", hint.span, [value, node.name, devices, devices - 1]);
        else pinned = value;
      }
    }
    const span = node.hints[0]?.span ?? node.span;
    if (wantData && wantModel)
      bag.report("MG3007", span, [node.name, "@data asks for model degree 1, @model for more"]);
    if (wantModel && group === 1)
      bag.report("MG3007", span, [node.name, "@model needs more than the one device of @devices(1)"]);
    if (pinned >= 0) {
      if (pinned < lastStage) bag.report("MG3009", span, [node.name, pinned, lastStage, lastStageName]);
      lastStage = pinned;
      lastStageName = node.name;
    }
    stage.push(pinned);
    allows.push(
      (c) =>
        (!wantData || c.m === 1) && (!wantModel || c.m > 1) && (group === undefined || c.d * c.m === group),
    );
  }
  return { allows, stage, maxStage: Math.max(-1, ...stage), ok: bag.errorCount === before };
}

/** Whether a graph carries any placement hint at all. */
export function hasHints(graph: Graph): boolean {
  return graph.nodes.some((n) => n.hints.length > 0);
}
