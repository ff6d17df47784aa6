/**
 * Contiguous stage partition of the topological order, minimising the slowest stage's time per micro-batch.
 * Stage s covers positions [bounds[s], bounds[s+1]).
 */
export interface PartitionProblem {
  /** Per node: compute + comm per micro-batch on its stage's devices. */
  readonly time: readonly number[];
  /** Per node, when it is on the last stage (optional, default `time`): the last stage does not recompute. */
  readonly lastTime?: readonly number[];
  /** Per node: bytes per device of its stage. */
  readonly memory: readonly number[];
  /** Per node: its gradient all-reduce inside the stage, once per step. */
  readonly gradAllReduce: readonly number[];
  /** Per cut position i (between node i−1 and i): seconds of forward sends, and of backward sends. */
  readonly cutForward: readonly number[];
  readonly cutBackward: readonly number[];
  /** Per node: the stage a `@stage(N)` hint pins it to, or −1. */
  readonly stageHint: readonly number[];
  readonly stages: number;
  readonly microbatches: number;
  readonly memoryCapacity: number;
  /**
   * Stage inputs kept between a micro-batch's forward and its backward (a recomputing stage keeps nothing
   * else): per cut position, the bytes one micro-batch sends across it, and per stage, how many micro-batches
   * are in flight there (1F1B: min(K − s, M); GPipe: M). Absent: none.
   */
  readonly stash?: { readonly bytes: readonly number[]; readonly inFlight: (stage: number) => number };
  /**
   * A stage time per micro-batch no useful partition reaches (the caller already has a step that a bottleneck
   * this slow cannot beat): partitions whose slowest stage reaches it are not sought. Absent: none.
   */
  readonly bottleneckLimit?: number;
}

export interface Partition {
  readonly bounds: number[];
  /** Slowest stage's time per micro-batch. */
  readonly bottleneck: number;
  /** (M + K − 1) · bottleneck + the slowest stage's gradient all-reduce. */
  readonly stepTime: number;
  readonly stageTimes: number[];
  readonly stageMemory: number[];
}

/** Above this many layers, stage boundaries are searched between blocks of consecutive layers (linear time). */
export const MAX_EXACT_POSITIONS = 256;

/** Cut positions the search may use: every position up to 256 layers, else block edges and hint changes. */
function candidatePositions(p: PartitionProblem): number[] {
  const n = p.time.length;
  if (n <= MAX_EXACT_POSITIONS) return Array.from({ length: n + 1 }, (_, i) => i);
  const set = new Set<number>([0, n]);
  for (let b = 1; b < MAX_EXACT_POSITIONS; b++) set.add(Math.round((b * n) / MAX_EXACT_POSITIONS));
  let last = -1;
  for (let v = 0; v < n; v++) {
    const h = p.stageHint[v]!;
    if (h >= 0 && h !== last) {
      set.add(v);
      last = h;
    }
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * Exact dynamic programming over stage boundaries (min over the last stage's start of the max of the earlier
 * stages' bottleneck and this stage's time), O(P² · K) for P candidate positions. Memory and `@stage` hints
 * make a stage infeasible rather than expensive, so they are obeyed exactly.
 */
export function partitionStages(p: PartitionProblem): Partition | undefined {
  const n = p.time.length;
  const K = p.stages;
  if (K < 1 || K > n) return undefined;
  const pos = candidatePositions(p);
  const P = pos.length;
  const prefix = [0];
  const lastPrefix = [0];
  const memPrefix = [0];
  for (let v = 0; v < n; v++) {
    prefix.push(prefix[v]! + p.time[v]!);
    lastPrefix.push(lastPrefix[v]! + (p.lastTime ?? p.time)[v]!);
    memPrefix.push(memPrefix[v]! + p.memory[v]!);
  }
  // Per candidate position b: the sums up to it, the sends across it, and a stage input's stash there. Stage
  // 0's input is the loader's batch, read per micro-batch: nothing stashed.
  const at = (values: readonly number[]) => Float64Array.from(pos, (v) => values[v]!);
  const rows: Rows = {
    time: at(prefix),
    lastTime: at(lastPrefix),
    memory: at(memPrefix),
    cutForward: Float64Array.from(pos, (v) => (v < n ? p.cutForward[v]! : 0)),
    cutBackward: Float64Array.from(pos, (v) => (v > 0 ? p.cutBackward[v]! : 0)),
    stash: Float64Array.from(pos, (v) => (p.stash && v > 0 ? p.stash.bytes[v]! : 0)),
    hintLo: new Float64Array(P).fill(Infinity),
    hintHi: new Float64Array(P).fill(-Infinity),
    capacity: p.memoryCapacity,
  };
  // hintLo[b]/hintHi[b]: the smallest/largest pinned stage in block [pos[b−1], pos[b]).
  for (let b = 1; b < P; b++) {
    for (let v = pos[b - 1]!; v < pos[b]!; v++) {
      const h = p.stageHint[v]!;
      if (h >= 0) {
        rows.hintLo[b] = Math.min(rows.hintLo[b]!, h);
        rows.hintHi[b] = Math.max(rows.hintHi[b]!, h);
      }
    }
  }
  // A stage ending at the last position is the last one: stages are non-empty, so no later stage can follow.
  const stageTime = (i: number, j: number): number =>
    (j === P - 1 ? rows.lastTime[j]! - rows.lastTime[i]! : rows.time[j]! - rows.time[i]!) +
    rows.cutForward[j]! +
    rows.cutBackward[i]!;
  const stashOf = (stage: number, i: number): number =>
    p.stash ? p.stash.inFlight(stage) * rows.stash[i]! : 0;

  let best = new Float64Array(P).fill(Infinity);
  best[0] = 0;
  const choice: Int32Array[] = [];
  for (let k = 0; k < K; k++) {
    const next = new Float64Array(P).fill(Infinity);
    const from = new Int32Array(P).fill(-1);
    stageRow(rows, k, K, p.stash ? p.stash.inFlight(k) : 0, p.bottleneckLimit ?? Infinity, best, next, from);
    choice.push(from);
    best = next;
  }
  if (best[P - 1] === Infinity) return undefined;
  const boundsIdx = [P - 1];
  for (let k = K - 1; k >= 0; k--) boundsIdx.push(choice[k]![boundsIdx[boundsIdx.length - 1]!]!);
  const bounds = boundsIdx.reverse().map((b) => pos[b]!);
  const stageTimes: number[] = [];
  const stageMemory: number[] = [];
  let grad = 0;
  for (let s = 0; s < K; s++) {
    const i = boundsIdx[s]!;
    const j = boundsIdx[s + 1]!;
    stageTimes.push(stageTime(i, j));
    stageMemory.push(rows.memory[j]! - rows.memory[i]! + stashOf(s, i));
    let g = 0;
    for (let v = bounds[s]!; v < bounds[s + 1]!; v++) g += p.gradAllReduce[v]!;
    grad = Math.max(grad, g);
  }
  const bottleneck = best[P - 1]!;
  return {
    bounds,
    bottleneck,
    stepTime: (p.microbatches + K - 1) * bottleneck + grad,
    stageTimes,
    stageMemory,
  };
}

/** Per candidate position: prefix sums, sends across it, stash bytes and hints, as the stage DP reads them. */
interface Rows {
  readonly time: Float64Array;
  readonly lastTime: Float64Array;
  readonly memory: Float64Array;
  readonly cutForward: Float64Array;
  readonly cutBackward: Float64Array;
  readonly stash: Float64Array;
  readonly hintLo: Float64Array;
  readonly hintHi: Float64Array;
  readonly capacity: number;
}

/**
 * Stage k of K ending at each position j: `next[j]` the best bottleneck of stages 0..k (min over the stage's
 * start i of the max of `best[i]` and this stage's time), `from[j]` that start. A function of typed arrays of
 * its own, so that V8 optimises it once for every layout a search partitions.
 */
function stageRow(
  r: Rows,
  k: number,
  K: number,
  inFlight: number,
  limit: number,
  best: Float64Array,
  next: Float64Array,
  from: Int32Array,
): void {
  const P = r.time.length;
  // Stage k starts at or after position k (k earlier stages, each non-empty) and leaves a position for each
  // stage after it; the last stage ends at the last position.
  for (let j = k === K - 1 ? P - 1 : k + 1; j <= P - K + k; j++) {
    const last = j === P - 1;
    let bestHere = limit;
    let start = -1;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = j - 1; i >= k; i--) {
      lo = Math.min(lo, r.hintLo[i + 1]!);
      hi = Math.max(hi, r.hintHi[i + 1]!);
      if (hi > k || lo < k) break;
      const layers = r.memory[j]! - r.memory[i]!;
      if (layers > r.capacity) break;
      if (layers + inFlight * r.stash[i]! > r.capacity) continue;
      // The stage's own work only grows as its start moves earlier: once it alone reaches the best found
      // for j (or the limit), no earlier start can do better.
      const body = last ? r.lastTime[j]! - r.lastTime[i]! : r.time[j]! - r.time[i]!;
      if (body >= bestHere) break;
      if (best[i] === Infinity) continue;
      const t = Math.max(best[i]!, body + r.cutForward[j]! + r.cutBackward[i]!);
      if (t < bestHere) {
        bestHere = t;
        start = i;
      }
    }
    if (start >= 0) {
      next[j] = bestHere;
      from[j] = start;
    }
  }
}
