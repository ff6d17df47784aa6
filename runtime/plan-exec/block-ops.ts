import * as tf from "@tensorflow/tfjs";
import type { Collective } from "../collectives/index.js";
import { shardBounds } from "../worker/shards.js";
import { channelBounds } from "./weight-shards.js";

/** A layer output cut into blocks: rows by data index, last axis by model index, one block per stage rank. */
export interface BlockGrid {
  /** Full shape, rows first. */
  readonly shape: readonly number[];
  readonly dataDegree: number;
  readonly modelDegree: number;
  /** (data index, model index) of each stage rank, in rank order. */
  readonly blocks: readonly (readonly [number, number])[];
}

export function blockBox(grid: BlockGrid, d: number, m: number): { begin: number[]; size: number[] } {
  const [r0, r1] = shardBounds(grid.shape[0]!, grid.dataDegree, d);
  const channels = grid.shape.at(-1)!;
  const [c0, c1] = channelBounds(channels, grid.modelDegree, m);
  const middle = grid.shape.slice(1, -1);
  return { begin: [r0, ...middle.map(() => 0), c0], size: [r1 - r0, ...middle, c1 - c0] };
}

export function assembleBlocks(grid: BlockGrid, gathered: Float32Array): tf.Tensor {
  const cells = new Map<string, tf.Tensor>();
  let offset = 0;
  for (const [d, m] of grid.blocks) {
    const { size } = blockBox(grid, d, m);
    const n = size.reduce((a, b) => a * b, 1);
    cells.set(`${d}/${m}`, tf.tensor(gathered.subarray(offset, offset + n), size, "float32"));
    offset += n;
  }
  const axis = grid.shape.length - 1;
  const rows: tf.Tensor[] = [];
  for (let d = 0; d < grid.dataDegree; d++) {
    const parts: tf.Tensor[] = [];
    for (let m = 0; m < grid.modelDegree; m++) parts.push(cells.get(`${d}/${m}`)!);
    rows.push(parts.length === 1 ? parts[0]! : tf.concat(parts, axis));
  }
  const full = rows.length === 1 ? tf.clone(rows[0]!) : tf.concat(rows, 0);
  tf.dispose([...cells.values(), ...rows]);
  return full;
}

/**
 * Every rank's block → the whole tensor on every rank (an all-gather over the stage). Its gradient is the
 * slice of dy this rank's block came from: downstream runs replicated, so dy is the same on every rank.
 */
export function gatherBlocks(
  local: tf.Tensor,
  grid: BlockGrid,
  collective: Collective,
  rank: number,
): tf.Tensor {
  const [d, m] = grid.blocks[rank]!;
  const { begin, size } = blockBox(grid, d, m);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const total = grid.shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(total);
    collective.allGather(Float32Array.from(x.dataSync()), out);
    return { value: assembleBlocks(grid, out), gradFunc: (dy: tf.Tensor) => tf.slice(dy, begin, size) };
  });
  return op(local);
}

/**
 * Identity forward; backward, the sum of dy over the stage's ranks. Placed where a replicated tensor enters
 * a split or row-sliced layer: each rank's gradient is only its block's contribution.
 */
export function sumGradients(x: tf.Tensor, collective: Collective): tf.Tensor {
  if (collective.size === 1) return x;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => {
      const data = Float32Array.from(dy.dataSync());
      collective.allReduceSum(data);
      return tf.tensor(data, dy.shape, "float32");
    },
  }));
  return op(x);
}

/**
 * This rank's partial sums (its rows of the grid, every channel) → the whole tensor: its rows placed in a
 * zero tensor of the whole shape, summed over the stage's ranks in place. A rank with no rows adds zeros.
 */
export function reduceBlocksForward(
  local: Float32Array,
  grid: BlockGrid,
  rank: number,
  collective: Collective,
): tf.Tensor {
  const total = grid.shape.reduce((a, b) => a * b, 1);
  const [d] = grid.blocks[rank]!;
  const perRow = total / grid.shape[0]!;
  const [r0] = shardBounds(grid.shape[0]!, grid.dataDegree, d);
  const out = new Float32Array(total);
  out.set(local, r0 * perRow);
  collective.allReduceSum(out);
  return tf.tensor(out, grid.shape as number[], "float32");
}

/** This rank's rows of a whole-tensor gradient: the partial sums' gradient (every one of them counts once). */
export function rowsOf(dy: tf.Tensor, grid: BlockGrid, rank: number): tf.Tensor {
  const [d] = grid.blocks[rank]!;
  const [r0, r1] = shardBounds(grid.shape[0]!, grid.dataDegree, d);
  if (r0 === 0 && r1 === grid.shape[0]) return dy;
  return tf.slice(dy, [r0, ...grid.shape.slice(1).map(() => 0)], [r1 - r0, ...grid.shape.slice(1)]);
}

/** `reduce` inside a tfjs tape: the all-reduce of partial sums, its gradient this rank's rows of dy. */
export function reduceBlocks(
  local: tf.Tensor,
  grid: BlockGrid,
  collective: Collective,
  rank: number,
): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const value = reduceBlocksForward(Float32Array.from(x.dataSync()), grid, rank, collective);
    return { value, gradFunc: (dy: tf.Tensor) => rowsOf(dy, grid, rank) };
  });
  return op(local);
}
