import * as tf from "@tensorflow/tfjs";
import { perSampleMean } from "../worker/labels.js";
import { shardBounds } from "../worker/shards.js";
import type { BlockGrid } from "./block-ops.js";
import type { ForwardOp } from "./forward-op.js";
import { channelBounds } from "./weight-shards.js";

/** tfjs-layers' `epsilon()`: probabilities are clipped to [ε, 1 − ε] before the log. */
const EPSILON = 1e-7;

/** This device's block of the output layer's logits (before its softmax), and how the blocks tile the whole. */
export interface LogitsBlock {
  /** `[rows here, ...positions, classes here]`. */
  readonly logits: tf.Tensor;
  /** Rows of the micro-batch (every block's together). */
  readonly rows: number;
  /** Classes of the whole output. */
  readonly classes: number;
  /** Rows cut d ways (1 when every device of the stage holds every row), classes m ways. */
  readonly dataDegree: number;
  readonly modelDegree: number;
  /** (data index, model index) of each stage rank, in rank order. */
  readonly blocks: readonly (readonly [number, number])[];
  /** This device's rank in the stage. */
  readonly rank: number;
}

/** Per-sample loss `[rows]` of the whole micro-batch, and accuracy when asked for. */
export interface ShardedScores {
  readonly loss: tf.Tensor1D;
  readonly accuracy: tf.Tensor1D | null;
}

/**
 * Sparse categorical cross-entropy (and its accuracy) of a softmax output computed on its class blocks, as
 * Megatron-LM's vocabulary-parallel cross-entropy: the whole [rows, positions, classes] output is never
 * gathered. Per position, each device sends a few numbers: its block's max and argmax (all-gathered: the max
 * keeps exp() finite, the argmax gives accuracy), the sum of exp(z − max) (all-reduced), then the sum of its
 * clipped probabilities and the target's clipped probability, which lies in one block (all-reduced). The loss
 * is then Keras's to float rounding: −log(clip(q_t / Σq)), q = clip(softmax(z), ε, 1 − ε) (tfjs-layers clips
 * the softmax, renormalises and clips again).
 *
 * Gradients: every device computes the loss of every row from the reduced sums (replicated), so each
 * reduction's gradient is just this device's share of dy (the `reduce` op's). The sum of exponentials also
 * enters each device's local clipped probabilities, whose sums every device reduces: that use goes through a
 * `sum` op, so the gradient of the sum includes every device's dependence on it. The max is a constant
 * (softmax does not depend on it).
 */
export function* shardedScores(
  block: LogitsBlock,
  /** int32 class ids `[rows, ...positions]`, every row of the micro-batch. */
  ids: tf.Tensor,
  accuracy: boolean,
): Generator<ForwardOp, ShardedScores, tf.Tensor> {
  const { rows, dataDegree: d, modelDegree: m, blocks, rank } = block;
  const positions = block.logits.shape.slice(1, -1);
  const [bd, bm] = blocks[rank]!;
  const [r0, r1] = d > 1 ? shardBounds(rows, d, bd) : [0, rows];
  const [c0, c1] = channelBounds(block.classes, m, bm);
  /** A per-position stat of every row, `width` numbers from each model rank side by side (all-gathered). */
  const gathered = (width: number): BlockGrid => ({
    shape: [rows, ...positions, width * m],
    dataDegree: d,
    modelDegree: m,
    blocks,
  });
  /** A per-position sum over the model group (`extra` trailing axes), this device's rows its share. */
  const summed = (extra: number[]): BlockGrid => ({
    shape: [rows, ...positions, ...extra],
    dataDegree: d,
    modelDegree: 1,
    blocks,
  });
  /** This device's rows of a whole tensor of every row. */
  const own = (t: tf.Tensor): tf.Tensor =>
    r0 === 0 && r1 === rows
      ? t
      : tf.slice(t, [r0, ...t.shape.slice(1).map(() => 0)], [r1 - r0, ...t.shape.slice(1)]);
  const z = block.logits;

  const top = yield {
    kind: "apply",
    inputs: [z],
    fn: ([t]) => tf.stack([tf.max(t!, -1), tf.add(tf.cast(tf.argMax(t!, -1), "float32"), c0)], -1),
    weighted: false,
    constant: true,
  };
  const tops = yield { kind: "gather", x: top, grid: gathered(2) };
  // (max, argmax) over the whole class axis, per position of every row: the first block holding the max
  // wins a tie, as argMax over the whole output would.
  const best = yield {
    kind: "apply",
    inputs: [tops],
    fn: ([t]) => {
      const [values, indices] = tf.unstack(tf.reshape(t!, [rows, ...positions, m, 2]), -1);
      const which = tf.oneHot(tf.argMax(values!, -1), m);
      return tf.stack([tf.max(values!, -1), tf.sum(tf.mul(indices!, which), -1)], -1);
    },
    weighted: false,
    constant: true,
  };
  const exps = yield {
    kind: "apply",
    inputs: [z, best],
    fn: ([t, b]) => tf.exp(tf.sub(t!, tf.expandDims(own(tf.unstack(b!, -1)[0]!), -1))),
    weighted: false,
  };
  const localSum = yield { kind: "apply", inputs: [exps], fn: ([e]) => tf.sum(e!, -1), weighted: false };
  const total = yield { kind: "reduce", x: localSum, grid: summed([]) };
  // Each device's probabilities depend on the whole sum: its gradient is summed over the devices.
  const totalHere = yield { kind: "sum", x: total };
  const clipped = yield {
    kind: "apply",
    inputs: [exps, totalHere, ids],
    fn: ([e, s, y]) => {
      const q = tf.clipByValue(tf.div(e!, tf.expandDims(own(s!), -1)), EPSILON, 1 - EPSILON);
      // This block's column of each target, none where it lies in another block (oneHot wants ≥ 2 columns).
      const columns = tf.range(c0, c1, 1, "int32");
      const target = tf.cast(tf.equal(tf.expandDims(own(y!), -1), columns), "float32");
      return tf.stack([tf.sum(q, -1), tf.sum(tf.mul(q, target), -1)], -1);
    },
    weighted: false,
  };
  const sums = yield { kind: "reduce", x: clipped, grid: summed([2]) };
  const loss = yield {
    kind: "apply",
    inputs: [sums],
    fn: ([t]) => {
      const [all, target] = tf.unstack(t!, -1);
      return perSampleMean(tf.neg(tf.log(tf.clipByValue(tf.div(target!, all!), EPSILON, 1 - EPSILON))));
    },
    weighted: false,
  };
  if (!accuracy) return { loss: loss as tf.Tensor1D, accuracy: null };
  const hits = yield {
    kind: "apply",
    inputs: [best, ids],
    fn: ([b, y]) => {
      const argmax = tf.cast(tf.unstack(b!, -1)[1]!, "int32");
      return perSampleMean(tf.cast(tf.equal(argmax, y!), "float32"));
    },
    weighted: false,
    constant: true,
  };
  return { loss: loss as tf.Tensor1D, accuracy: hits as tf.Tensor1D };
}
