import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Loss, Optimizer, Strategy } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import { compileSource } from "../../compiler/pipeline.js";
import type { MicrobatchOrder } from "../../compiler/plan/index.js";
import { SourceFile } from "../../compiler/diagnostics/index.js";
import { LocalCollective } from "../../runtime/collectives/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { CounterDropout, setStepContext } from "../../runtime/layers/index.js";
import { buildModel, initializeWeights } from "../../runtime/model/index.js";
import { perSampleLoss } from "../../runtime/train/losses.js";
import { makeOptimizer } from "../../runtime/train/optimizer.js";
import { shardBounds } from "../../runtime/train/shards.js";
import { REPO as REPO_ROOT } from "../support/run-cli.js";

export const LOSS: Loss = "sparse_categorical_crossentropy";
export const SGD: Optimizer = { kind: "sgd", lr: 0.05, momentum: 0, nesterov: false };
export const ADAM: Optimizer = { kind: "adam", lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export const MLP = `model Mlp {
  input image: [28, 28]
  flatten
  dense(128, activation: relu)
  dropout(0.2)
  dense(10, activation: softmax)
}`;

/** The seed CNN's layer kinds, smaller. */
export const CNN = `model Cnn {
  input image: [12, 12, 1]
  conv2d(8, kernel: 3, activation: relu)
  maxpool2d(2)
  flatten
  dense(32, activation: relu)
  dense(10, activation: softmax)
}`;

/** A tiny residual net: conv, batchnorm, add. */
export const RESIDUAL = `block residual(x, filters: int) {
  conv2d(filters, kernel: 3, padding: same) -> batchnorm -> relu
  conv2d(filters, kernel: 3, padding: same) -> batchnorm
  add(_, x) -> relu
}
model Res {
  input image: [8, 8, 3]
  conv2d(6, kernel: 3, padding: same, activation: relu)
  repeat 2 { residual(_, 6) }
  global_avg_pool2d
  dense(10, activation: softmax)
}`;

export interface Compiled {
  readonly plan: Plan;
  /** The whole model, seeded initial weights. */
  readonly model: tf.LayersModel;
}

/** A plan from the real compiler, and the 1-device model with the seed's initial weights. */
export function compilePlan(
  text: string,
  options: {
    strategy: Strategy;
    devices: number;
    microbatches?: number;
    profile?: string;
    microbatchOrder?: MicrobatchOrder;
  },
  seed: number,
): Compiled {
  const source = new SourceFile("test.model", text);
  const result = compileSource(source, options);
  if (result.plan === undefined || result.graph === undefined)
    throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  const model = buildModel(result.graph);
  initializeWeights(model, seed);
  return { plan: result.plan, model };
}

/**
 * The 1-device oracle in plain tfjs: the whole model, stock batchnorm, CounterDropout; each global batch cut
 * into `microbatches` as the pipeline cuts it, gradients (Σ loss ÷ global batch) summed, then one step.
 */
export async function referenceTrain(
  model: tf.LayersModel,
  data: Dataset,
  batches: readonly Uint32Array[],
  optimizerConfig: Optimizer,
  microbatches: number,
  seed: number,
): Promise<Float32Array[]> {
  const json = JSON.parse(JSON.stringify(model.toJSON(null, false))) as {
    config: { layers: { class_name: string }[] };
  };
  for (const layer of json.config.layers)
    if (layer.class_name === "Dropout") layer.class_name = CounterDropout.className;
  const copy = await tf.models.modelFromJSON({
    modelTopology: json as unknown as tf.serialization.ConfigDict,
  });
  copy.setWeights(model.getWeights());
  const vars = copy.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = makeOptimizer(optimizerConfig);
  const size = data.sampleShape.reduce((a, b) => a * b, 1);
  for (const [step, indices] of batches.entries()) {
    const B = indices.length;
    let sums = vars.map((v) => tf.zeros(v.shape));
    for (let micro = 0; micro < Math.min(microbatches, B); micro++) {
      const [lo, hi] = shardBounds(B, Math.min(microbatches, B), micro);
      setStepContext({
        collective: new LocalCollective(),
        step,
        globalBatch: hi - lo,
        shardOffset: lo,
        seed,
      });
      const x = new Float32Array((hi - lo) * size);
      const y = new Int32Array(hi - lo);
      for (let r = lo; r < hi; r++) {
        x.set(data.x.subarray(indices[r]! * size, (indices[r]! + 1) * size), (r - lo) * size);
        y[r - lo] = data.y[indices[r]!]!;
      }
      const next = tf.tidy(() => {
        const xs = tf.tensor(x, [hi - lo, ...data.sampleShape]);
        const ys = tf.tensor(y, [hi - lo], "int32");
        const { grads } = tf.variableGrads(() => {
          const pred = copy.apply(xs, { training: true }) as tf.Tensor;
          return tf.div(tf.sum(perSampleLoss(LOSS, ys, pred)), B) as tf.Scalar;
        }, vars);
        return vars.map((v, i) => tf.add(sums[i]!, grads[v.name]!));
      });
      tf.dispose(sums);
      sums = next;
    }
    const named: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (named[v.name] = sums[i]!));
    optimizer.applyGradients(named);
    tf.dispose(sums);
  }
  return copy.getWeights().map((t) => Float32Array.from(t.dataSync()));
}

export function batchesFor(count: number, batch: number, steps: number): Uint32Array[] {
  return Array.from({ length: steps }, (_, s) =>
    Uint32Array.from({ length: batch }, (_, r) => (s * 37 + r * 11) % count),
  );
}

/**
 * `profiles/cpu.json` without its fixed-cost fields, i.e. priced by the v1 formula alone (absent fields count
 * as 0). Under it `auto` picks d × m grids and data-parallel pipeline stages for the small test models, so the
 * hybrid cases keep exercising hybrids whatever this machine's calibration says is fastest today.
 */
export function v1CpuProfile(): string {
  const cpu = JSON.parse(readFileSync(join(REPO_ROOT, "profiles", "cpu.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const core = [
    "name",
    "source",
    "rate",
    "fp32FlopsPerSecond",
    "memoryBytes",
    "memoryBandwidth",
    "linkBandwidth",
    "linkLatency",
  ];
  const path = join(mkdtempSync(join(tmpdir(), "mgpuc-profile-")), "cpu-v1.json");
  writeFileSync(path, JSON.stringify(Object.fromEntries(core.map((k) => [k, cpu[k]]))));
  return path;
}
