import { beforeAll, describe, expect, it } from "vitest";
import type { Loss, Optimizer, Strategy } from "../../compiler/ir/config.js";
import type { MicrobatchOrder } from "../../compiler/plan/index.js";
import { initBackend } from "../../runtime/backend/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { maxAbsDiff, syntheticData } from "../runtime/engine-fixtures.js";
import { labelledData } from "../support/labelled-data.js";
import {
  ADAM,
  BINARY,
  CNN,
  LOSS,
  MLP,
  REGRESSION,
  RESIDUAL,
  TRANSFORMER,
  batchesFor,
  compilePlan,
  referenceRun,
  v1CpuProfile,
} from "./plan-fixtures.js";
import { trainPlan } from "./run-plan.js";

const STEPS = 20;
const SEED = 7;
// The residual net's batchnorms make lr 0.05 chaotic on 12-row batches (a 1e-8 rounding difference grows to
// 1e-3 in 20 steps, also between two 1-device runs that only sum in another order), and Adam turns the
// pre-batchnorm biases' rounding-noise gradients into lr-sized steps: plain SGD at 0.01 for it.
const SMALL_SGD: Optimizer = { kind: "sgd", lr: 0.01, momentum: 0, nesterov: false };

const classes = (shape: readonly number[]) => () => syntheticData(64, 10, shape);
const PLAIN_SGD: Optimizer = { kind: "sgd", lr: 0.05, momentum: 0, nesterov: false };

interface ModelCase {
  readonly text: string;
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  readonly data: () => Dataset;
}

// Besides class ids under sparse cross-entropy: float labels (mse, mae against one linear output) and 0/1 labels
// (binary cross-entropy against a sigmoid), so the loss oracle reaches every kind of plan. Plain SGD for these:
// the update is proportional to the gradient, so a loss of the wrong shape or scale shows in the weights.
const models = {
  mlp: { text: MLP, optimizer: ADAM, loss: LOSS, data: classes([28, 28]) },
  cnn: { text: CNN, optimizer: ADAM, loss: LOSS, data: classes([12, 12, 1]) },
  residual: { text: RESIDUAL, optimizer: SMALL_SGD, loss: LOSS, data: classes([8, 8, 3]) },
  "regression mse": {
    text: REGRESSION,
    optimizer: PLAIN_SGD,
    loss: "mse",
    data: () => labelledData(64, [10], { kind: "regression", shape: [] }),
  },
  "regression mae": {
    text: REGRESSION,
    optimizer: PLAIN_SGD,
    loss: "mae",
    data: () => labelledData(64, [10], { kind: "regression", shape: [] }),
  },
  // Plain SGD: the attention key bias has a zero gradient (softmax ignores a score shift shared by a row), and
  // Adam turns its rounding noise into steps of lr·noise/epsilon that differ with the summation order.
  transformer: {
    text: TRANSFORMER,
    optimizer: PLAIN_SGD,
    loss: LOSS,
    data: () => labelledData(64, [8], { kind: "tokens", vocabulary: 12 }, 1, 12),
  },
  "binary 0/1": {
    text: BINARY,
    optimizer: PLAIN_SGD,
    loss: "binary_crossentropy",
    data: () => labelledData(64, [8, 8, 1], { kind: "binary" }),
  },
} satisfies Record<string, ModelCase>;

interface Case {
  readonly strategy: Strategy;
  readonly devices: number;
  readonly microbatches?: number;
  /** Pipeline micro-batch order; default the compiler's (1F1B). */
  readonly order?: MicrobatchOrder;
  /** What the compiler must have chosen, so the case exercises what it says. */
  readonly expect: "data" | "model" | "pipeline" | "hybrid";
  /** Plan with the v1-formula cpu profile (see `v1CpuProfile`), where the hybrid cases need it. */
  readonly v1Profile?: boolean;
}

const cases: Record<keyof typeof models, Case[]> = {
  mlp: [
    // trainModel sends pure data-parallel plans to the data-parallel engine; run here, it covers a whole
    // segment kept in row form (flatten → dense → dropout → dense on 12 rows over 3: masks by global row).
    { strategy: "data", devices: 3, expect: "data" },
    { strategy: "model", devices: 2, expect: "model" },
    { strategy: "pipeline", devices: 2, microbatches: 2, expect: "pipeline" },
    { strategy: "pipeline", devices: 3, microbatches: 4, expect: "pipeline" },
    { strategy: "pipeline", devices: 3, microbatches: 4, order: "gpipe", expect: "pipeline" },
    { strategy: "auto", devices: 4, expect: "hybrid", v1Profile: true },
  ],
  cnn: [
    { strategy: "model", devices: 2, expect: "model" },
    { strategy: "pipeline", devices: 2, microbatches: 4, expect: "pipeline" },
    { strategy: "pipeline", devices: 2, microbatches: 4, order: "gpipe", expect: "pipeline" },
    { strategy: "pipeline", devices: 3, microbatches: 2, expect: "pipeline" },
  ],
  residual: [
    { strategy: "model", devices: 2, expect: "model" },
    { strategy: "pipeline", devices: 2, microbatches: 2, expect: "pipeline" },
    { strategy: "pipeline", devices: 3, microbatches: 4, expect: "pipeline" },
    // auto picks 2 stages × 2 data-parallel devices here: a pipeline with a data-parallel grid in each stage.
    { strategy: "auto", devices: 4, expect: "hybrid", v1Profile: true },
  ],
  transformer: [
    { strategy: "data", devices: 2, expect: "data" },
    { strategy: "model", devices: 2, expect: "model" },
    { strategy: "pipeline", devices: 2, microbatches: 2, expect: "pipeline" },
    { strategy: "pipeline", devices: 3, microbatches: 4, expect: "pipeline" },
  ],
  "regression mse": [
    { strategy: "data", devices: 2, expect: "data" },
    // auto follows the hints: hidden layers split over 2, the dense(1) output whole.
    { strategy: "auto", devices: 2, expect: "model" },
    { strategy: "pipeline", devices: 2, microbatches: 2, expect: "pipeline" },
  ],
  "regression mae": [
    { strategy: "auto", devices: 2, expect: "model" },
    { strategy: "pipeline", devices: 3, microbatches: 4, expect: "pipeline" },
  ],
  "binary 0/1": [
    { strategy: "data", devices: 2, expect: "data" },
    { strategy: "auto", devices: 2, expect: "model" },
    { strategy: "pipeline", devices: 2, microbatches: 2, expect: "pipeline" },
  ],
};

beforeAll(async () => {
  await initBackend("wasm");
});

for (const [name, m] of Object.entries(models) as [
  keyof typeof models,
  (typeof models)[keyof typeof models],
][]) {
  describe(`${name}: ${STEPS} steps as planned equal 1 device`, () => {
    for (const c of cases[name]) {
      const label = `${c.strategy} on ${c.devices}${c.microbatches ? `, ${c.microbatches} micro-batches` : ""}${c.order ? `, ${c.order}` : ""}`;
      it(
        label,
        async () => {
          const data = m.data();
          const batches = batchesFor(64, 12, STEPS);
          const compiled = compilePlan(
            m.text,
            {
              strategy: c.strategy,
              devices: c.devices,
              ...(c.microbatches ? { microbatches: c.microbatches } : {}),
              ...(c.order ? { microbatchOrder: c.order } : {}),
              ...(c.v1Profile ? { profile: v1CpuProfile() } : {}),
            },
            SEED,
          );
          const { plan } = compiled;
          const placements = plan.layers.map((l) => l.placement);
          if (c.expect === "pipeline") {
            expect(plan.schedule.stages).toBe(c.devices);
            expect(plan.schedule.microbatches).toBe(c.microbatches);
            expect(plan.schedule.microbatchOrder).toBe(c.order ?? "1f1b");
          } else if (c.expect === "data") {
            expect(placements.every((p) => p.dataDegree === c.devices)).toBe(true);
          } else if (c.expect === "model") {
            expect(placements.some((p) => p.modelDegree === c.devices)).toBe(true);
          } else {
            // d × m inside a stage, or data-parallel stages of a pipeline.
            const grid = placements.some((p) => p.kind === "hybrid");
            const stagedData = plan.schedule.stages > 1 && placements.some((p) => p.dataDegree > 1);
            expect(grid || stagedData).toBe(true);
          }
          const reference = await referenceRun(
            compiled.model,
            data,
            batches,
            m.optimizer,
            plan.schedule.microbatches,
            SEED,
            m.loss,
          );
          const got = await trainPlan(compiled, data, batches, m.optimizer, SEED, "thread", m.loss);
          // Each step's loss is tfjs's loss of that batch (before the update), not just a finite number.
          got.losses.forEach((sum, s) => {
            const want = reference.losses[s]!;
            expect(Math.abs(sum / batches[s]!.length - want), `step ${s + 1} loss`).toBeLessThanOrEqual(
              1e-4 * Math.max(1, want),
            );
          });
          expect(maxAbsDiff(reference.weights, got.weights)).toBeLessThanOrEqual(1e-4);
          // Training moved the weights: the comparison is not between two untouched initialisations.
          const initial = compiled.model.getWeights().map((t) => Float32Array.from(t.dataSync()));
          expect(maxAbsDiff(initial, got.weights)).toBeGreaterThan(1e-3);
        },
        120_000,
      );
    }
  });
}
