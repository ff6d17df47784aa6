import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { scoresOnShards } from "../../compiler/plan/sharded-loss.js";
import { initBackend } from "../../runtime/backend/index.js";
import { assembleBlocks } from "../../runtime/plan-exec/block-ops.js";
import type { ForwardOp } from "../../runtime/plan-exec/forward-op.js";
import { type ShardedScores, shardedScores } from "../../runtime/plan-exec/sharded-scoring.js";
import { channelBounds } from "../../runtime/plan-exec/weight-shards.js";
import { perSampleLoss } from "../../runtime/worker/losses.js";
import { perSampleMetric } from "../../runtime/worker/metrics.js";
import { shardBounds } from "../../runtime/worker/shards.js";
import { TRANSFORMER, compilePlan } from "./plan-fixtures.js";

// The vocabulary-parallel loss (runtime/plan-exec/sharded-scoring.ts) on d × m simulated ranks stepped in
// lockstep in this thread, against Keras's loss and accuracy on the whole softmax. Its gradients are checked
// where devices really train (test/plan-exec/megatron-layouts.test.ts: 1 device vs model and d × m grids).

beforeAll(async () => {
  await initBackend("wasm");
});

/** Every rank's scores, and the most elements any collective of the sequence carried. */
function simulate(
  logits: tf.Tensor,
  ids: tf.Tensor,
  d: number,
  m: number,
): { scores: ShardedScores[]; largestCollective: number } {
  const [rows, ...rest] = logits.shape;
  const classes = rest.at(-1)!;
  const blocks = Array.from({ length: d * m }, (_, k) => [Math.floor(k / m), k % m] as const);
  const runs = blocks.map(([bd, bm], rank) => {
    const [r0, r1] = d > 1 ? shardBounds(rows!, d, bd) : [0, rows!];
    const [c0, c1] = channelBounds(classes, m, bm);
    const begin = logits.shape.map(() => 0);
    const size = [...logits.shape];
    [begin[0], size[0]] = [r0, r1 - r0];
    [begin[size.length - 1], size[size.length - 1]] = [c0, c1 - c0];
    const block = {
      logits: tf.slice(logits, begin, size),
      rows: rows!,
      classes,
      dataDegree: d,
      modelDegree: m,
      blocks,
      rank,
    };
    return shardedScores(block, ids, true);
  });
  let largestCollective = 0;
  let steps = runs.map((r) => r.next());
  while (!steps[0]!.done) {
    const ops = steps.map((s) => s.value as ForwardOp);
    expect(new Set(ops.map((o) => o.kind)).size).toBe(1);
    let results: tf.Tensor[];
    const first = ops[0]!;
    if (first.kind === "apply")
      results = ops.map((o) =>
        (o as Extract<ForwardOp, { kind: "apply" }>).fn((o as Extract<ForwardOp, { kind: "apply" }>).inputs),
      );
    else if (first.kind === "sum") results = ops.map((o) => (o as { x: tf.Tensor }).x);
    else {
      const grid = first.grid;
      const total = grid.shape.reduce((a, b) => a * b, 1);
      largestCollective = Math.max(largestCollective, total);
      if (first.kind === "gather") {
        const all = Float32Array.from(ops.flatMap((o) => Array.from((o as { x: tf.Tensor }).x.dataSync())));
        results = ops.map(() => assembleBlocks(grid, all));
      } else {
        const sum = new Float32Array(total);
        const perRow = total / grid.shape[0]!;
        ops.forEach((o, k) => {
          const [r0] = shardBounds(grid.shape[0]!, grid.dataDegree, grid.blocks[k]![0]);
          (o as { x: tf.Tensor }).x.dataSync().forEach((v, i) => (sum[r0 * perRow + i]! += v));
        });
        results = ops.map(() => tf.tensor(sum, [...grid.shape]));
      }
    }
    steps = runs.map((r, k) => r.next(results[k]!));
  }
  return { scores: steps.map((s) => s.value as ShardedScores), largestCollective };
}

/** The largest collective's size, after checking the scores. */
function expectKerasScores(logits: tf.Tensor, ids: tf.Tensor, d: number, m: number): number {
  const probabilities = tf.softmax(logits);
  const loss = perSampleLoss("sparse_categorical_crossentropy", ids, probabilities).arraySync();
  const accuracy = perSampleMetric("sparse_categorical_accuracy", ids, probabilities).arraySync();
  const { scores, largestCollective } = simulate(logits, ids, d, m);
  for (const s of scores) {
    const got = s.loss.arraySync();
    got.forEach((v, i) => expect(Math.abs(v - loss[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, loss[i]!)));
    expect(s.accuracy!.arraySync()).toEqual(accuracy);
  }
  // Per position, two numbers per device: never the [rows, positions, classes] output.
  expect(largestCollective).toBeLessThanOrEqual((logits.size / logits.shape.at(-1)!) * 2 * m);
  return largestCollective;
}

describe("the vocabulary-parallel loss equals Keras's on the whole softmax", () => {
  let state = 11;
  // A small LCG: the cases are the same on every run.
  const random = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const logitsOf = (shape: number[], scale: number) =>
    tf.tensor(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() - 0.5) * scale),
      shape,
    );
  const idsOf = (shape: number[], classes: number) =>
    tf.tensor(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(random() * classes)),
      shape,
      "int32",
    );

  it.each([
    { d: 1, m: 2, rows: 4, positions: [6], classes: 12 },
    { d: 1, m: 3, rows: 3, positions: [5], classes: 10 },
    { d: 2, m: 2, rows: 5, positions: [4], classes: 9 },
    { d: 3, m: 2, rows: 2, positions: [3], classes: 8 },
    { d: 1, m: 4, rows: 6, positions: [], classes: 7 },
  ])("d$d × m$m, $rows rows, $classes classes", ({ d, m, rows, positions, classes }) => {
    expectKerasScores(logitsOf([rows, ...positions, classes], 6), idsOf([rows, ...positions], classes), d, m);
  });

  it("where probabilities are clipped (1e-7 and 1 − 1e-7 bind, the clipped sum is not 1)", () => {
    const logits = logitsOf([4, 6, 40], 400);
    const p = tf.softmax(logits).dataSync();
    expect(p.some((v) => v < 1e-7)).toBe(true);
    expect(p.some((v) => v > 1 - 1e-7)).toBe(true);
    expect(expectKerasScores(logits, idsOf([4, 6], 40), 1, 3)).toBeLessThan(logits.size / 6);
    expectKerasScores(logits, idsOf([4, 6], 40), 2, 2);
  });

  it("accuracy's ties go to the lowest class, as argMax over the whole output", () => {
    // Classes 1 and 7 (in different blocks under m = 2) share the max.
    const row = [0, 5, 1, 2, 0, 1, 3, 5];
    const logits = tf.tensor([row, row], [2, 8]);
    expectKerasScores(logits, tf.tensor([1, 7], [2], "int32"), 1, 2);
  });
});

describe("when the loss is scored on the shards", () => {
  const outputLayer = () => {
    const plan = compilePlan(TRANSFORMER, { strategy: "model", devices: 2 }, 5).plan;
    return plan.layers.find((l) => l.name === plan.graph.outputs[0])!;
  };

  it("a column-parallel softmax under sparse cross-entropy and its accuracy", () => {
    const output = outputLayer();
    expect(output.placement.split).toBe("units");
    expect(scoresOnShards(output, "sparse_categorical_crossentropy", ["accuracy"])).toBe(true);
  });

  it("not another loss or metric, a whole output, or more devices than classes", () => {
    const output = outputLayer();
    expect(scoresOnShards(output, "categorical_crossentropy", [])).toBe(false);
    expect(scoresOnShards(output, "sparse_categorical_crossentropy", ["mae"])).toBe(false);
    const whole = { ...output, placement: { ...output.placement, modelDegree: 1 } };
    expect(scoresOnShards(whole, "sparse_categorical_crossentropy", [])).toBe(false);
    const many = { ...output, placement: { ...output.placement, modelDegree: 13 } };
    expect(scoresOnShards(many, "sparse_categorical_crossentropy", [])).toBe(false);
  });
});
