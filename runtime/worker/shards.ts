/** Rows [lo, hi) of a global batch of `rows` that replica `rank` of `size` computes: as even as possible. */
export function shardBounds(rows: number, size: number, rank: number): [number, number] {
  const base = Math.floor(rows / size);
  const extra = rows % size;
  const lo = rank * base + Math.min(rank, extra);
  return [lo, lo + base + (rank < extra ? 1 : 0)];
}
