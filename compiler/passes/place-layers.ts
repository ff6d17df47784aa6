import { consumers, type Graph } from "../ir/graph.js";
import type { PassContext } from "../diagnostics/pass-context.js";
import { estimateCost, type CostTable } from "../cost/estimate-cost.js";
import { hasHints, noHints, readHints, type HintConstraints } from "../placement/hints.js";
import { checkStageHints } from "../placement/stage-hints.js";
import { layoutPhrase } from "../placement/layout-phrase.js";
import {
  edgeBytes,
  evaluationsOf,
  layersProblem,
  runnerUp,
  executorCounts,
  type LayersEvaluation,
} from "../placement/layers-problem.js";
import { solveWithinMemory } from "../placement/memory-search.js";
import {
  pipelineLayouts,
  planPipeline,
  stageCounts,
  type PipelinePlan,
} from "../placement/pipeline-plans.js";
import { layerReason } from "../placement/reasons.js";
import type { PlaceOptions, Placement, PlacedLayer } from "../placement/placement-types.js";

export type { PlaceOptions };
import { reportNoFit } from "../placement/no-fit.js";
import { pipelineLayers } from "../placement/pipeline-layers.js";
import { onDevicesUsed } from "../placement/devices-used.js";
import { priceZeroOne } from "../placement/zero-one.js";
import { allowedConfigs } from "../placement/allowed-configs.js";

type Candidate =
  | {
      readonly kind: "layers";
      readonly assignment: number[];
      readonly stepTime: number;
      /** An all-data plan with ZeRO-1's sharded optimizer state. */
      readonly zeroOne?: boolean;
    }
  | { readonly kind: "pipeline"; readonly plan: PipelinePlan; readonly stepTime: number };

/** Devices 0..n−1, one shared array per n: every layer of a 10,000-layer plan holds one. */
const firstDevices = new Map<number, readonly number[]>();
function devicesUpTo(n: number): readonly number[] {
  let list = firstDevices.get(n);
  if (!list) {
    list = [];
    for (let i = 0; i < n; i++) (list as number[]).push(i);
    firstDevices.set(n, list);
  }
  return list;
}

/**
 * The `place-layers` pass: the best plan for the strategy under the v1 cost model, its baselines, and per layer
 * the runner-up configuration. Undefined (with a diagnostic) when hints cannot be honoured or nothing fits.
 */
export function placeLayers(
  graph: Graph,
  options: PlaceOptions,
  ctx: PassContext,
  /** The `estimate-cost` pass's table for `options`; computed here when not given. */
  costs?: CostTable,
): Placement | undefined {
  const { devices: n, profile, strategy } = options;
  const table = costs ?? estimateCost(graph, profile, n, options.batch, options.optimizerSlots);
  const cap = profile.memoryBytes;
  // Hints pin auto's choices; an explicit strategy is itself the user's choice, so hints only warn there.
  const firstHint = graph.nodes.find((x) => x.hints.length > 0)?.hints[0];
  if (strategy !== "auto" && firstHint) ctx.diagnostics.report("MG3006", firstHint.span, [strategy]);
  const hints: HintConstraints = strategy === "auto" ? readHints(graph, n, ctx) : noHints(graph);
  if (!hints.ok) return undefined;
  if (hints.maxStage >= 1 && !checkStageHints(graph, n, hints, ctx)) return undefined;
  const evaluate = evaluationsOf(graph, table);
  const uniform = (k: number): Candidate | undefined => {
    if (k < 0) return undefined;
    const a = graph.nodes.map(() => k);
    // One evaluation for both questions: at 10,000 layers each is a pass over every edge.
    const evaluation = evaluate(a);
    const fits = Math.max(...evaluation.memoryPerDevice) <= cap;
    const choice = options.optimizerSharding ?? "auto";
    // All-data on several devices with ZeRO-1 (compiler/placement/zero-one.ts): when asked, or when the
    // replicated optimizer state is what does not fit.
    const sharded =
      choice === "zero-1" || (choice === "auto" && !fits) ? priceZeroOne(table, a, evaluation) : undefined;
    if (sharded !== undefined && Math.max(...sharded.memoryPerDevice) <= cap)
      return { kind: "layers", assignment: a, stepTime: sharded.stepTime, zeroOne: true };
    return fits ? { kind: "layers", assignment: a, stepTime: evaluation.stepTime } : undefined;
  };
  const dataBaseline = uniform(0);
  const modelBaseline = uniform(table.configs.findIndex((c) => c.d === 1 && c.m === n));
  // Every layer on device 0: the per-layer search prices it too, but without the step's fixed cost. A profile
  // that gives one device its own (lower) fixed cost makes it a candidate of its own; otherwise the search's
  // plan is never slower, and pricing it again would be a pass over every edge for nothing.
  const oneDevice =
    n > 1 && profile.singleDeviceStepOverheadSeconds !== undefined
      ? uniform(table.configs.findIndex((c) => c.d * c.m === 1))
      : undefined;
  // Baselines are the plain strategies, as `data` and `model` above: hints constrain only auto's own search.
  const pipelineBaseline = bestPipeline(
    graph,
    options,
    noHints(graph),
    n === 1 ? [1] : stageCounts(n, graph.nodes.length, 2),
    false,
  );
  // The best plan without stages within memory: auto's own candidate, and a pipelined plan's runner-up. At
  // thousands of layers or 64 devices its λ search is a good part of the pass, so it runs at most once.
  let layersSolved: { readonly assignment: number[] | undefined } | undefined;
  // Each layer's configurations under the hints and the memory: the search, the placement's runner-ups and
  // the every-device check read the same lists (at 10,000 layers each listing is a pass over every layer).
  let allowedLists: number[][] | undefined;
  const allowed = () => (allowedLists ??= allowedConfigs(graph, table, hints));
  const bestLayers = () =>
    (layersSolved ??= {
      assignment: solveWithinMemory(graph, table, allowed(), cap),
    }).assignment;

  let chosen: Candidate | undefined;
  if (strategy === "data") chosen = dataBaseline;
  else if (strategy === "model") chosen = modelBaseline;
  else if (strategy === "pipeline") chosen = pipelineBaseline;
  else
    chosen = searchAuto(
      evaluate,
      graph,
      table,
      options,
      hints,
      [dataBaseline, modelBaseline, oneDevice],
      bestLayers,
      {
        // Without hints, auto's pipelines of one device per stage are the baseline's, already searched.
        ...(hasHints(graph) || n === 1 ? {} : { narrow: pipelineBaseline }),
      },
    );
  if (!chosen) {
    // An explicit strategy that does not fit: say whether auto's search (layer splits, pipeline stages)
    // fits on the same devices.
    const auto =
      strategy === "auto"
        ? undefined
        : searchAuto(evaluate, graph, table, options, noHints(graph), [dataBaseline, modelBaseline], () =>
            solveWithinMemory(graph, table, allowedConfigs(graph, table, noHints(graph)), cap),
          );
    const alternative = auto && describeCandidate(auto);
    reportNoFit(
      graph,
      table,
      options,
      ctx,
      hints.maxStage >= 0 || (strategy === "auto" && hasHints(graph)),
      alternative,
    );
    return undefined;
  }
  const baselines = {
    data: dataBaseline?.stepTime ?? null,
    model: modelBaseline?.stepTime ?? null,
    pipeline: pipelineBaseline?.stepTime ?? null,
  };
  const outBytes = table.work.map((w) => w.outBytes);
  const common = { strategy, devices: n, profile, batch: options.batch, baselines, outBytes };
  let placed: Placement;
  if (chosen.kind === "pipeline") {
    const p = chosen.plan;
    const alternative = hints.maxStage < 0 ? bestLayers() : undefined;
    placed = {
      ...common,
      ...pipelineLayers(
        graph,
        n,
        p,
        alternative
          ? { table, assignment: alternative, stepTime: evaluate(alternative).stepTime }
          : undefined,
      ),
    };
  } else {
    placed = withOptimizerSharding(
      {
        ...common,
        ...layersPlacement(graph, table, chosen.assignment, allowed(), evaluate(chosen.assignment)),
      },
      table,
      chosen.assignment,
      chosen.zeroOne === true,
    );
  }
  if (strategy !== "auto") return placed;
  // The best step with every layer on all n devices: the data and model baselines, a pipeline over all of
  // them, and the per-layer search kept to configurations of n devices.
  return onDevicesUsed(placed, () => {
    const steps: number[] = [];
    for (const b of [dataBaseline, modelBaseline]) if (b) steps.push(b.stepTime);
    if (
      pipelineBaseline?.kind === "pipeline" &&
      pipelineBaseline.plan.stages * pipelineBaseline.plan.groupSize === n
    )
      steps.push(pipelineBaseline.stepTime);
    const everyDevice = allowed().map((ks) =>
      ks.filter((k) => table.configs[k]!.d * table.configs[k]!.m === n),
    );
    const spread = everyDevice.every((ks) => ks.length > 0)
      ? solveWithinMemory(graph, table, everyDevice, cap)
      : undefined;
    if (spread) steps.push(evaluate(spread).stepTime);
    return steps.length > 0 ? Math.min(...steps) : null;
  });
}

function searchAuto(
  evaluate: (assignment: readonly number[]) => LayersEvaluation,
  graph: Graph,
  table: CostTable,
  options: PlaceOptions,
  hints: HintConstraints,
  baselines: readonly (Candidate | undefined)[],
  /** The best plan without stages within memory, under these hints. */
  bestLayers: () => number[] | undefined,
  /** The best pipeline of one device per stage under these hints, when already searched. */
  known: { readonly narrow?: Candidate | undefined } = {},
): Candidate | undefined {
  const candidates: Candidate[] = [];
  if (hints.maxStage <= 0) {
    const assignment = bestLayers();
    if (assignment)
      candidates.push({
        kind: "layers",
        assignment,
        stepTime: evaluate(assignment).stepTime,
      });
    for (const b of baselines) {
      if (b?.kind === "layers" && b.assignment.every((k, v) => hints.allows[v]!(table.configs[k]!)))
        candidates.push(b);
    }
  }
  const n = options.devices;
  const pipelined = bestPipeline(
    graph,
    options,
    hints,
    stageCounts(n, graph.nodes.length, Math.max(2, hints.maxStage + 1)),
    true,
    "narrow" in known ? known.narrow : null,
  );
  if (pipelined) candidates.push(pipelined);
  let best: Candidate | undefined;
  for (const c of candidates) if (!best || c.stepTime < best.stepTime) best = c;
  return best;
}

/** The best pipeline over stage counts: one device per stage, and (for auto) n/K devices per stage. */
function bestPipeline(
  graph: Graph,
  options: PlaceOptions,
  hints: HintConstraints,
  counts: readonly number[],
  wideStages: boolean,
  /**
   * The best of the one-device-per-stage layouts when already searched with these hints (undefined: none
   * fits); null to search them here too.
   */
  narrow: Candidate | undefined | null = null,
): Candidate | undefined {
  let best: Candidate | undefined = narrow ?? undefined;
  for (const { stages: K, groupSize: g } of pipelineLayouts(options.devices, counts, wideStages)) {
    if (narrow !== null && g === 1) continue;
    const M = options.microbatches ?? 4 * K;
    const plan = planPipeline(
      graph,
      options.profile,
      options.batch,
      options.optimizerSlots,
      hints,
      {
        stages: K,
        groupSize: g,
        microbatches: M,
        ...(options.microbatchOrder ? { order: options.microbatchOrder } : {}),
      },
      best?.stepTime,
    );
    if (plan && (!best || plan.partition.stepTime < best.stepTime))
      best = { kind: "pipeline", plan, stepTime: plan.partition.stepTime };
  }
  return best;
}

function layersPlacement(
  graph: Graph,
  table: CostTable,
  assignment: number[],
  allowed: readonly (readonly number[])[],
  evaluation: LayersEvaluation,
): Pick<Placement, "layers" | "stepTime" | "memoryPerDevice" | "stages" | "stageDevices" | "microbatches"> {
  const problem = layersProblem(graph, table, allowed);
  const users = consumers(graph);
  const trafficOf = (v: number, k: number) => {
    let moved = 0;
    let summed = 0;
    const add = (e: { moved: number; summed: number }) => {
      moved += e.moved;
      summed += e.summed;
    };
    for (const u of graph.nodes[v]!.inputs) add(edgeBytes(table, u, assignment[u]!, v, k));
    for (const w of users[v]!) add(edgeBytes(table, v, k, w, assignment[w]!));
    const c = table.layer[v]![k]!;
    return {
      config: table.configs[k]!,
      gradBytes: c.gradBytes,
      movedBytes: moved,
      summedBytes: summed,
      compute: c.compute + c.update,
    };
  };
  const executor = executorCounts(graph, table, assignment);
  const layers: PlacedLayer[] = graph.nodes.map((_, v) => {
    const k = assignment[v]!;
    const config = table.configs[k]!;
    const b = evaluation.perLayer[v]!;
    const runner = runnerUp(graph, table, problem, assignment, v, users, executor);
    return {
      config,
      stage: 0,
      devices: devicesUpTo(config.d * config.m),
      compute: b.compute,
      comm: b.comm,
      memory: b.memory,
      ...(runner ? { runnerUp: { config: table.configs[runner.k]!, stage: 0, extra: runner.extra } } : {}),
      reason: withLayout(
        layoutPhrase(graph, v, config),
        layerReason(
          trafficOf(v, k),
          runner ? trafficOf(v, runner.k) : undefined,
          runner?.extra ?? 0,
          runner?.executor ?? 0,
        ),
      ),
    };
  });
  return {
    layers,
    stepTime: evaluation.stepTime,
    memoryPerDevice: evaluation.memoryPerDevice,
    stages: 1,
    stageDevices: table.devices,
    microbatches: 1,
  };
}

/**
 * An all-data plan on several devices, with ZeRO-1 (compiler/placement/zero-one.ts) when the candidate was
 * priced with it; either way the other choice's step and memory are kept for `explain`.
 */
function withOptimizerSharding(
  placed: Placement,
  table: CostTable,
  assignment: readonly number[],
  zeroOne: boolean,
): Placement {
  const sharded = priceZeroOne(table, assignment, { stepTime: placed.stepTime, perLayer: placed.layers });
  if (sharded === undefined) return placed;
  const plainMemory = Math.max(...placed.memoryPerDevice);
  if (!zeroOne)
    return {
      ...placed,
      optimizerSharding: {
        chosen: "replicated",
        otherStepTime: sharded.stepTime,
        otherMemoryPerDevice: Math.max(...sharded.memoryPerDevice),
      },
    };
  return {
    ...placed,
    stepTime: sharded.stepTime,
    layers: sharded.perLayer,
    memoryPerDevice: sharded.memoryPerDevice,
    optimizerSharding: {
      chosen: "zero-1",
      otherStepTime: placed.stepTime,
      otherMemoryPerDevice: plainMemory,
    },
  };
}

/** A model-split layer's reason starts with how it is cut. */
export function withLayout(phrase: string | undefined, reason: string): string {
  return phrase === undefined ? reason : `${phrase}; ${reason}`;
}

/** A plan in a few words, for a hint: `2 pipeline stages of 4 devices, 8 micro-batches` or `layers split per group`. */
function describeCandidate(c: Candidate): string {
  if (c.kind === "pipeline") {
    const p = c.plan;
    return `${p.stages} pipeline stages of ${p.groupSize} device${p.groupSize === 1 ? "" : "s"}, ${p.microbatches} micro-batches`;
  }
  return "each layer split its own way";
}
