import type { WeightCut } from "../../compiler/ops/op-spec.js";
import { shardBounds } from "../worker/shards.js";

/** Indices [lo, hi) of shard k of m along an axis of `extent`: as even as possible, as the planner assumes. */
export function channelBounds(extent: number, m: number, k: number): [number, number] {
  return shardBounds(extent, m, k);
}

/**
 * How one device holds one weight of a layer: shard `index` of `of` along `axis`, or whole (`axis` null,
 * 0 of 1). A `first` weight (a row-parallel layer's bias) is held whole by every device of the model group,
 * but only model rank 0 adds it, so only its copy learns and is reported (`onlyFirst`).
 */
export interface WeightPiece {
  readonly axis: number | null;
  readonly index: number;
  readonly of: number;
  readonly onlyFirst: boolean;
}

export const WHOLE: WeightPiece = { axis: null, index: 0, of: 1, onlyFirst: false };

/** The piece model rank `k` of `m` holds of a weight shaped `shape` cut as `cut` (undefined: not sharded). */
export function pieceOf(cut: WeightCut | undefined, rank: number, m: number, k: number): WeightPiece {
  if (cut === undefined || m <= 1) return WHOLE;
  if (cut === "first") return { axis: null, index: 0, of: 1, onlyFirst: true };
  return { axis: cut < 0 ? rank + cut : cut, index: k, of: m, onlyFirst: false };
}

/** Elements [lo, hi) along `axis` of a row-major array shaped `shape`. */
export function sliceAxis(
  data: Float32Array,
  shape: readonly number[],
  axis: number,
  lo: number,
  hi: number,
): Float32Array {
  const extent = shape[axis] ?? 1;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = data.length / (extent * inner);
  const width = (hi - lo) * inner;
  const out = new Float32Array(outer * width);
  for (let i = 0; i < outer; i++)
    out.set(data.subarray((i * extent + lo) * inner, (i * extent + hi) * inner), i * width);
  return out;
}

/** The inverse: shards (in order) joined along `axis` into the whole array shaped `shape`. */
export function concatAxis(
  parts: readonly Float32Array[],
  shape: readonly number[],
  axis: number,
): Float32Array {
  const extent = shape[axis] ?? 1;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.reduce((a, b) => a * b, 1) / (extent * inner);
  const out = new Float32Array(outer * extent * inner);
  let at = 0;
  for (const p of parts) {
    const width = p.length / outer;
    for (let i = 0; i < outer; i++) out.set(p.subarray(i * width, (i + 1) * width), i * extent * inner + at);
    at += width;
  }
  return out;
}

/** This piece of the whole array `data` shaped `shape`. */
export function cutPiece(data: Float32Array, shape: readonly number[], piece: WeightPiece): Float32Array {
  if (piece.axis === null) return data;
  return sliceAxis(data, shape, piece.axis, ...channelBounds(shape[piece.axis]!, piece.of, piece.index));
}

/** The shape of this piece of a weight shaped `shape`. */
export function pieceShape(shape: readonly number[], piece: WeightPiece): number[] {
  if (piece.axis === null) return [...shape];
  const [lo, hi] = channelBounds(shape[piece.axis]!, piece.of, piece.index);
  return shape.map((n, i) => (i === piece.axis ? hi - lo : n));
}

/** Elements of each of the `of` pieces, in order (pieces of one weight differ by at most one slice). */
export function pieceSizes(shape: readonly number[], piece: WeightPiece): number[] {
  return Array.from({ length: piece.of }, (_, k) =>
    pieceShape(shape, { ...piece, index: k }).reduce((a, b) => a * b, 1),
  );
}
