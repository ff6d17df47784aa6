import type { Loss } from "../ir/config.js";
import { BYTES_PER_ELEMENT } from "../ir/element-bytes.js";
import { activationOf } from "../ops/index.js";
import { type LayoutInput, layerLayout } from "./layer-layout.js";

/** The losses a run can score on the output's channel blocks: cross-entropy against class ids. */
const SHARDED_LOSSES: ReadonlySet<Loss> = new Set<Loss>(["sparse_categorical_crossentropy"]);

/** Metrics (as a `train` section names them) the shards score too: the argmax's, under that loss. */
const SHARDED_METRICS: ReadonlySet<string> = new Set(["accuracy", "acc", "sparse_categorical_accuracy"]);

/**
 * Whether a run scores its loss on the model output's blocks (Megatron-LM's vocabulary-parallel
 * cross-entropy), never gathering the whole [batch, positions, classes] output: the output layer is
 * column-parallel (a dense split by units) with a softmax, at least one class per device, the loss is
 * sparse categorical cross-entropy and every metric is its accuracy. Each device then computes its block's
 * logits; the max (with its argmax) is all-gathered, the sum of exponentials all-reduced, then the sum of
 * clipped probabilities and the target's, so the loss is Keras's own (probabilities clipped to [1e-7, 1 − 1e-7]
 * and renormalised) up to float rounding. Anything else gathers the output and scores it whole. The one rule
 * the runtime (`runtime/plan-exec/sharded-scoring.ts`), the torch program and the plan's collectives follow.
 */
export function scoresOnShards(
  output: LayoutInput & { readonly outputShape: readonly number[] },
  loss: Loss | undefined,
  metrics: readonly string[],
): boolean {
  if (loss === undefined || !SHARDED_LOSSES.has(loss)) return false;
  if (!metrics.every((m) => SHARDED_METRICS.has(m))) return false;
  if (activationOf(output) !== "softmax") return false;
  const classes = output.outputShape.at(-1) ?? 0;
  return layerLayout(output).mode === "column" && classes >= output.placement.modelDegree;
}

/** What `explain` adds to the output layer's why when its loss is scored on its blocks. */
export const SHARDED_LOSS_PHRASE =
  "cross-entropy on the shards: max, Σexp and target logit all-reduced, logits never gathered";

/**
 * Floats per position each device contributes to the sharded loss's collectives, in order: the all-gather
 * of (max, argmax) per model rank, the all-reduce of the sum of exponentials, the all-reduce of (the clipped
 * probabilities' sum, the target's).
 */
export const SHARDED_LOSS_FLOATS = { gather: 2, sums: 1, clipped: 2 } as const;

/**
 * The collectives of a sharded loss per step over `rows` samples of `positions` positions each, on the
 * stage's d·m devices (each reduction runs over the whole stage, rows placed by data group): the (max, argmax)
 * all-gather, then the two all-reduces of sums. Bytes are each collective's whole result.
 */
export function shardedLossCollectives(
  rows: number,
  positions: number,
  m: number,
): readonly { readonly kind: "all-gather" | "all-reduce"; readonly bytes: number }[] {
  const perPosition = rows * positions * BYTES_PER_ELEMENT;
  return [
    { kind: "all-gather", bytes: perPosition * SHARDED_LOSS_FLOATS.gather * m },
    { kind: "all-reduce", bytes: perPosition * SHARDED_LOSS_FLOATS.sums },
    { kind: "all-reduce", bytes: perPosition * SHARDED_LOSS_FLOATS.clipped },
  ];
}

/** Positions per sample of an output shaped `outputShape` (its classes last): 1 for `[classes]`. */
export function positionsOf(outputShape: readonly number[]): number {
  return outputShape.slice(0, -1).reduce((a, b) => a * b, 1);
}
