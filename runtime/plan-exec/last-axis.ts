import { shardBounds } from "../worker/shards.js";

/** Channels [lo, hi) of shard k of m: as even as possible, as the planner assumes. */
export function channelBounds(channels: number, m: number, k: number): [number, number] {
  return shardBounds(channels, m, k);
}

/** Elements [lo, hi) of the last axis of a row-major array shaped `shape`. */
export function sliceLastAxis(
  data: Float32Array,
  shape: readonly number[],
  lo: number,
  hi: number,
): Float32Array {
  const last = shape.at(-1) ?? 1;
  const outer = data.length / last;
  const width = hi - lo;
  const out = new Float32Array(outer * width);
  for (let i = 0; i < outer; i++) out.set(data.subarray(i * last + lo, i * last + hi), i * width);
  return out;
}

/** The inverse: shards (in order) joined along the last axis, each `outer` rows of its own width. */
export function concatLastAxis(parts: readonly Float32Array[], outer: number): Float32Array {
  const widths = parts.map((p) => p.length / outer);
  const last = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(outer * last);
  let at = 0;
  parts.forEach((p, k) => {
    const w = widths[k]!;
    for (let i = 0; i < outer; i++) out.set(p.subarray(i * w, (i + 1) * w), i * last + at);
    at += w;
  });
  return out;
}
