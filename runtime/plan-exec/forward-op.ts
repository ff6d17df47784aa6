import type * as tf from "@tensorflow/tfjs";
import type { BlockGrid } from "./block-ops.js";

/**
 * One step of a stage's forward pass (`stageForwardOps`, stage-forward.ts), run by a driver that passes the result back:
 * - `apply`: a local computation of `inputs` (a layer on its block, a slice, an activation); it reads the
 *   layer's weights itself (`weighted`), so a driver that differentiates it takes the weights' gradients too;
 *   a `constant` one's result carries no gradient at all (a max subtracted for stability, an argmax);
 * - `gather`: this rank's block → the whole tensor on every rank of the stage (all-gather); its gradient is
 *   the slice of dy the block came from;
 * - `reduce`: this rank's partial sums (rows `grid` gives it, every channel) → their sum over the stage, the whole
 *   tensor, on every rank (an all-reduce of the rows padded with zeros); its gradient is this rank's rows of dy;
 * - `sum`: identity forward; backward, dy summed over the stage's ranks (all-reduce), where a replicated
 *   tensor enters a split or row-sliced layer.
 */
export type ForwardOp =
  | {
      readonly kind: "apply";
      readonly inputs: tf.Tensor[];
      readonly fn: (inputs: tf.Tensor[]) => tf.Tensor;
      /** Whether `fn` reads trainable weights: a function of data alone is data too. */
      readonly weighted: boolean;
      /** Its result is treated as data: no gradient flows back through it. */
      readonly constant?: boolean;
    }
  | { readonly kind: "gather" | "reduce"; readonly x: tf.Tensor; readonly grid: BlockGrid }
  | { readonly kind: "sum"; readonly x: tf.Tensor };
