import type { BackendPreference } from "../backend/init-backend.js";
import type { DeviceProfile } from "../../compiler/cost/profile.js";
import type { Strategy } from "../../compiler/ir/config.js";
import type { Graph } from "../../compiler/ir/graph.js";
import type { Plan } from "../../compiler/plan/index.js";
import { CounterRandom, type Dataset } from "../data/index.js";
import { buildModel, initializeWeights } from "../model/index.js";
import { DataParallelGroup } from "../train/data-parallel-group.js";
import { PlanGroup } from "./plan-group.js";
import { type CalibrationEffort, FULL_EFFORT } from "../train/calibration-effort.js";

/*
 * The fixed costs only the plan executor shows, measured on the runtime itself (closed loop):
 * - `planExecutorLayerOverheadSeconds`: the probe's data×n plan on the data-parallel engine and, step for step
 *   in turn, on the plan executor; the median difference per layer. Before it was measured, the split term
 *   below took it all (the model×n plan was timed against data×n on the other engine) and charged it per split
 *   layer: a plan splitting one layer was charged 1.4 ms of ~10 ms, and auto chose the seed CNN's split plan,
 *   measured 7.8 ms slower than all-data;
 * - `splitLayerOverheadSeconds`: the model×n plan against the data×n plan, both on the executor; the measured
 *   difference, less what the cost model predicts of it with the term at 0, over how much the prediction grows
 *   per second of the term (the cost model's own count of split layers and passes). Differencing cancels what
 *   both share (step overhead, the other load on the cores).
 *
 * The same probe as a pipeline does not identify `messageLatencySeconds`: tried, the cost model's error on the
 * stages' micro-batch compute outweighs the messages (the fit came out 0 in every run), so messages stay an
 * isolated measurement (runtime/train/fixed-costs.ts).
 */

/**
 * Neither seed model, but their kinds of layer (a conv2d whose channel block goes through relu and pooling,
 * dense layers over a gathered input) at sizes where the fixed costs show.
 */
const PROBE = `model SplitProbe {
  input image: [12, 12, 4]
  conv2d(16, kernel: 3, activation: relu)
  maxpool2d(2)
  flatten
  dense(256, activation: relu)
  dense(256, activation: relu)
  dense(10, activation: softmax)
}
train SplitProbe {
  data: synthetic(samples: 256, classes: 10)
  optimizer: adam(lr: 0.001)
  loss: sparse_categorical_crossentropy
  batch: 64
}`;
/** The train section's batch: the plans are predicted for it. */
const BATCH = 64;
const WARMUP = 3;
/** Seconds added to the term to read the prediction's slope: small, so the planner's choices stay put. */
const PROBE_DELTA = 1e-4;

export interface Compiled {
  readonly plan: Plan;
  readonly graph: Graph;
}

/**
 * Compiles `.model` text to a plan under `profile`, or says why it could not. The runtime never compiles model
 * text itself (it does not import the compiler's passes): whoever calls `calibrate` (the CLI) hands it this.
 */
export type PlanProbe = (
  source: string,
  options: { readonly strategy: Strategy; readonly devices: number; readonly profile: DeviceProfile },
) => Compiled | { readonly error: string };

interface Group {
  step(step: number, indices: Uint32Array): Promise<unknown>;
  close(): Promise<void>;
}

function probeData(count: number): Dataset {
  const shape = [12, 12, 4];
  const size = shape.reduce((a, b) => a * b, 1);
  const random = new CounterRandom(1, "split-probe");
  return {
    x: Float32Array.from({ length: count * size }, (_, i) => random.uniform(i)),
    y: Int32Array.from({ length: count }, (_, i) => i % 10),
    count,
    sampleShape: shape,
    labelShape: [],
    numClasses: 10,
    description: "split probe",
  };
}

/**
 * The median over steps of (b's step − a's step), the two stepping in turn: the cores are shared, and a paired
 * difference cancels what slows both alike while it lasts.
 */
async function medianDifference(a: Group, b: Group, count: number, steps: number): Promise<number> {
  const differences: number[] = [];
  const time = async (group: Group, s: number) => {
    const indices = Uint32Array.from({ length: BATCH }, (_, r) => (s * BATCH + r) % count);
    const t0 = performance.now();
    await group.step(s, indices);
    return (performance.now() - t0) / 1000;
  };
  for (let s = 0; s < WARMUP + steps; s++) {
    const ta = await time(a, s);
    const tb = await time(b, s);
    if (s >= WARMUP) differences.push(tb - ta);
  }
  differences.sort((x, y) => x - y);
  return differences[Math.floor(differences.length / 2)]!;
}

/**
 * The probe's data×`devices` and model×`devices` plans under `profile` with the split term at 0, and how many
 * seconds the model plan's prediction grows per second of the term.
 */
export function splitProbePlans(
  profile: DeviceProfile,
  devices: number,
  compile: PlanProbe,
): { data: Compiled; split: Compiled; slope: number } {
  const planFor = (strategy: Strategy, value: number): Compiled => {
    // The executor's own term at 0 too: the split term is read between two plans that both run there.
    const result = compile(PROBE, {
      strategy,
      devices,
      profile: { ...profile, splitLayerOverheadSeconds: value, planExecutorLayerOverheadSeconds: 0 },
    });
    if ("error" in result)
      throw new Error(`calibrate: the split probe did not plan (${strategy}): ${result.error}`);
    return result;
  };
  const split = planFor("model", 0);
  const nudged = planFor("model", PROBE_DELTA);
  const slope = (predicted(nudged.plan) - predicted(split.plan)) / PROBE_DELTA;
  return { data: planFor("data", 0), split, slope };
}

function predicted(plan: Plan): number {
  return plan.predicted.stepTimeMs / 1000;
}

/** The plan executor's two terms of DeviceProfile, in seconds. */
export interface PlanExecutorOverheads {
  /** `planExecutorLayerOverheadSeconds`: per layer of any plan the executor runs, over the data-parallel engine. */
  readonly executorLayer: number;
  /** `splitLayerOverheadSeconds`: per model-split layer, over the same plan unsplit on the executor. */
  readonly splitLayer: number;
}

/**
 * The plan executor's terms beyond the rest of `profile` (every other field final), from the probe on
 * `devices` devices, each 0 when the runtime shows no cost beyond it: the data×n plan on the data-parallel
 * engine and on the executor (the executor's own cost, per layer), and the model×n plan on the executor
 * against the data×n there (the splits' cost, per split layer).
 */
export async function planExecutorOverheads(
  profile: DeviceProfile,
  devices: number,
  backend: BackendPreference,
  compile: PlanProbe,
  webgpuAdapters: readonly string[] = [],
  effort: CalibrationEffort = FULL_EFFORT,
): Promise<PlanExecutorOverheads> {
  const { data, split, slope } = splitProbePlans(profile, devices, compile);
  const train = probeData(256);
  const common = {
    optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    loss: "sparse_categorical_crossentropy",
    seed: 1,
    train,
    backend,
    // WebGPU devices are processes, as in training.
    ...(backend === "webgpu" ? { transport: "process" as const, webgpuAdapters } : {}),
  } as const;
  const groups: Group[] = [];
  const models: { dispose(): void }[] = [];
  const start = async ({ plan, graph }: Compiled, engine: "data" | "plan") => {
    const model = buildModel(graph);
    initializeWeights(model, 1);
    models.push(model);
    const group: Group =
      engine === "data"
        ? await DataParallelGroup.start({ ...common, model, devices })
        : await PlanGroup.start({ ...common, model, plan, batch: BATCH });
    groups.push(group);
    return group;
  };
  try {
    const onEngine = await start(data, "data");
    const onExecutor = await start(data, "plan");
    // Paired steps: one step's difference scatters by ±40 ms on a loaded 2-core machine; their median, a few ms.
    const executor = await medianDifference(onEngine, onExecutor, train.count, effort.splitSteps);
    const layers = data.graph.nodes.filter((node) => node.op !== "input").length;
    const measured = await medianDifference(
      onExecutor,
      await start(split, "plan"),
      train.count,
      effort.splitSteps,
    );
    const excess = measured - (predicted(split.plan) - predicted(data.plan));
    return {
      executorLayer: Math.max(0, executor / layers),
      splitLayer: slope > 0 ? Math.max(0, excess / slope) : 0,
    };
  } finally {
    await Promise.all(groups.map((g) => g.close()));
    for (const model of models) model.dispose();
  }
}
