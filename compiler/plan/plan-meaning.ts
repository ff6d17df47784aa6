import { OPS } from "../ops/index.js";
import type { Plan } from "./plan-types.js";

/**
 * Something a plan says that cannot be true: `path` is the JSON field (`layers[3].placement.modelDegree`);
 * `message` either starts with the field's value (`3 does not divide …`) or, when `predicate` is set, is a
 * predicate of the field (`is empty`, `has 2 entries …`).
 */
export interface PlanProblem {
  readonly path: string;
  readonly message: string;
  readonly predicate?: boolean;
}

/**
 * `layers[3].placement.modelDegree: 3 does not divide …` or `layers[3].placement.kind is "model" but …`: how
 * the CLI prints a problem after the file name.
 */
export function formatPlanProblem(p: PlanProblem): string {
  return `${p.path}${p.predicate === true ? " " : ": "}${p.message}`;
}

/**
 * Checks what a schema cannot: that a plan's numbers fit together. The schema only says `devices` holds
 * integers; this says device 5 does not exist on a 2-device plan, that `modelDegree` 3 cannot cut 2 devices,
 * that stage 7 follows no stage 1…6, that a layer reads layers that exist and come before it. `mgpuc run`
 * calls it before any device starts, so a hand-edited plan fails with the field to fix instead of deep in
 * training. Every plan the compiler writes passes (test/placement/plan-meaning.test.ts).
 */
export function checkPlanMeaning(plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add: Add = (path, message, predicate = false) =>
    problems.push(predicate ? { path, message, predicate } : { path, message });
  checkLayerNames(plan, add);
  checkPlacements(plan, add);
  checkStages(plan, add);
  checkCounts(plan, add);
  return problems;
}

type Add = (path: string, message: string, predicate?: boolean) => void;

/** Names unique, ops known, inputs that exist and come earlier, graph inputs and outputs that exist. */
function checkLayerNames(plan: Plan, add: Add): void {
  const index = new Map<string, number>();
  plan.layers.forEach((layer, i) => {
    const first = index.get(layer.name);
    if (first !== undefined)
      add(
        `layers[${i}].name`,
        `'${layer.name}' is already the name of layers[${first}]; names must be unique`,
      );
    else index.set(layer.name, i);
    if (layer.op !== "input" && !OPS.has(layer.op))
      add(`layers[${i}].op`, `'${layer.op}' is not a layer mgpuc knows (LANGUAGE.md lists them)`);
    layer.inputs.forEach((name, k) => {
      const at = index.get(name);
      if (at === undefined) {
        const later = plan.layers.findIndex((l) => l.name === name);
        add(
          `layers[${i}].inputs[${k}]`,
          later < 0
            ? `'${name}' is not a layer of the plan`
            : `'${name}' is layers[${later}], after this layer; layers must come after the layers they read`,
        );
      }
    });
  });
  for (const key of ["inputs", "outputs"] as const) {
    plan.graph[key].forEach((name, k) => {
      if (!index.has(name)) add(`graph.${key}[${k}]`, `'${name}' is not a layer of the plan`);
    });
  }
}

/** Devices that exist, listed once; degrees that cut the layer's devices exactly; `kind` as the degrees say. */
function checkPlacements(plan: Plan, add: Add): void {
  const count = plan.devices.count;
  const range = count === 1 ? "device 0" : `devices 0–${count - 1}`;
  plan.layers.forEach((layer, i) => {
    const at = `layers[${i}].placement`;
    const p = layer.placement;
    const seen = new Set<number>();
    if (p.devices.length === 0) add(`${at}.devices`, "is empty; a layer runs on at least one device", true);
    p.devices.forEach((device, k) => {
      if (device >= count)
        add(`${at}.devices[${k}]`, `device ${device} does not exist: devices.count is ${count} (${range})`);
      else if (seen.has(device)) add(`${at}.devices[${k}]`, `device ${device} is listed twice`);
      seen.add(device);
    });
    const n = p.devices.length;
    const stage = `stage ${p.stage}`;
    if (n > 0 && n % p.modelDegree !== 0)
      add(
        `${at}.modelDegree`,
        `${p.modelDegree} does not divide the ${n} device(s) of ${stage} it is placed on`,
      );
    else if (n > 0 && n % p.dataDegree !== 0)
      add(
        `${at}.dataDegree`,
        `${p.dataDegree} does not divide the ${n} device(s) of ${stage} it is placed on`,
      );
    else if (n > 0 && p.dataDegree * p.modelDegree !== n)
      add(
        `${at}.devices`,
        `lists ${n} device(s), but dataDegree ${p.dataDegree} × modelDegree ${p.modelDegree} = ` +
          `${p.dataDegree * p.modelDegree}`,
        true,
      );
    const kind = p.modelDegree === 1 ? "data" : p.dataDegree === 1 ? "model" : "hybrid";
    if (p.kind !== kind) add(`${at}.kind`, `is "${p.kind}" but the degrees say "${kind}"`, true);
  });
}

/**
 * Stages numbered 0, 1, 2… without gaps, each on devices of its own (a device runs one stage), and a layer
 * never on an earlier stage than a layer it reads (activations only flow forward through a pipeline).
 */
function checkStages(plan: Plan, add: Add): void {
  const used = new Set(plan.layers.map((l) => l.placement.stage));
  const firstAt = new Map<number, number>();
  plan.layers.forEach((l, i) => {
    if (!firstAt.has(l.placement.stage)) firstAt.set(l.placement.stage, i);
  });
  for (const [stage, i] of [...firstAt].sort((a, b) => a[0] - b[0])) {
    const missing = Array.from({ length: stage }, (_, s) => s).filter((s) => !used.has(s));
    if (missing.length > 0) {
      const gap = missing.length === 1 ? `stage ${missing[0]}` : `stages ${missing[0]}–${missing.at(-1)}`;
      add(
        `layers[${i}].placement.stage`,
        `${stage}, but no layer is on ${gap}; stages are numbered 0, 1, 2… without gaps`,
      );
      break;
    }
  }
  const stageOfDevice = new Map<number, { stage: number; layer: number }>();
  const index = new Map(plan.layers.map((l, i) => [l.name, i]));
  plan.layers.forEach((layer, i) => {
    const { stage, devices } = layer.placement;
    devices.forEach((device, k) => {
      const owner = stageOfDevice.get(device);
      if (owner === undefined) stageOfDevice.set(device, { stage, layer: i });
      else if (owner.stage !== stage)
        add(
          `layers[${i}].placement.devices[${k}]`,
          `device ${device} runs stage ${owner.stage} (layers[${owner.layer}]); a device runs one stage only`,
        );
    });
    for (const input of layer.inputs) {
      const from = index.get(input);
      const fromStage = from === undefined ? undefined : plan.layers[from]!.placement.stage;
      if (fromStage !== undefined && fromStage > stage)
        add(
          `layers[${i}].placement.stage`,
          `${stage} comes before stage ${fromStage} of its input '${input}' (layers[${from}]); ` +
            "a layer's stage is at least its inputs' stages",
        );
    }
  });
}

/** The counts the plan states elsewhere agree with its layers. */
function checkCounts(plan: Plan, add: Add): void {
  const stages = new Set(plan.layers.map((l) => l.placement.stage)).size;
  const predicted = plan.predicted;
  if (predicted.stages !== undefined && predicted.stages !== stages)
    add("predicted.stages", `${predicted.stages}, but the layers use ${stages} stage(s)`);
  if (plan.schedule.stages !== stages)
    add("schedule.stages", `${plan.schedule.stages}, but the layers use ${stages} stage(s)`);
  if (predicted.microbatches !== undefined && predicted.microbatches !== plan.schedule.microbatches)
    add(
      "schedule.microbatches",
      `${plan.schedule.microbatches}, but predicted.microbatches is ${predicted.microbatches}`,
    );
  const memory = predicted.memoryPerDeviceBytes.length;
  if (memory !== plan.devices.count)
    add(
      "predicted.memoryPerDeviceBytes",
      `has ${memory} entr${memory === 1 ? "y" : "ies"}, but devices.count is ${plan.devices.count}`,
      true,
    );
  const allowed = plan.devices.allowed;
  if (allowed !== undefined && allowed <= plan.devices.count)
    add(
      "devices.allowed",
      `${allowed}, but it is set only when the plan uses fewer (devices.count is ${plan.devices.count})`,
    );
}
