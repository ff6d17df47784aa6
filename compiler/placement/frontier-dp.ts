/**
 * A pairwise cost over a DAG: each node picks one configuration; the cost is Σ unary(v, k_v) plus
 * Σ edge(u, k_u, v, k_v) over edges. The nodes are in topological order (inputs have smaller ids).
 */
export interface DagProblem {
  readonly inputs: readonly (readonly number[])[];
  /** Configuration indices each node may take (hints and memory already applied). */
  readonly allowed: readonly (readonly number[])[];
  unary(v: number, k: number): number;
  edge(u: number, ku: number, v: number, kv: number): number;
  /** Optional: `edge(u, ku, v, kv)` at `[ku · K + kv]` for all K configurations at once (read, not called). */
  edgeMatrix?(u: number, v: number): { readonly matrix: Float64Array; readonly K: number };
  /**
   * Shared between problems that differ only in `unary` (the memory search's λ sweep), so edge costs are
   * tabulated once per node.
   */
  readonly edgeCache?: Map<number, Float64Array[]>;
}

export interface DagSolution {
  readonly cost: number;
  /** A configuration index per node. */
  readonly assignment: number[];
}

/** Above this many states per step the frontier is too wide to search exactly. */
export const MAX_STATES = 1 << 22;

/**
 * Exact minimisation by dynamic programming over the topological order, keeping as state the configurations
 * of the live tensors (nodes whose output a later node still reads), as a dense table indexed by those
 * configurations in base K. On a chain the frontier is one node, so the work is L · K²; an open residual
 * block adds one live tensor (K³ per node). This is OptCNN's node/edge elimination done in program order: a
 * node is eliminated once its last consumer has been placed. Undefined when no assignment has a finite cost
 * or the frontier would exceed MAX_STATES.
 */
export function solveDag(problem: DagProblem): DagSolution | undefined {
  const n = problem.inputs.length;
  // State digits are positions in each node's allowed list, so narrowing the choices narrows the table.
  let base = 1;
  for (const a of problem.allowed) base = Math.max(base, a.length);
  const lastUse: number[] = [];
  for (let v = 0; v < n; v++) lastUse.push(v);
  for (let v = 0; v < n; v++) for (const u of problem.inputs[v]!) lastUse[u] = Math.max(lastUse[u]!, v);

  const work = new Workspace();
  let frontier: Frontier = { live: [], states: 1 };
  work.cost(0, 1)[0] = 0;
  for (let v = 0; v < n; v++) {
    const next = advance(problem, work, frontier, v, lastUse, base);
    if (!next) return undefined;
    frontier = next;
  }
  const cost = work.cost(n % 2, frontier.states);
  let best = -1;
  for (let s = 0; s < frontier.states; s++)
    if (cost[s]! < Infinity && (best < 0 || cost[s]! < cost[best]!)) best = s;
  if (best < 0) return undefined;
  const assignment = new Array<number>(n);
  let s = best;
  for (let v = n - 1; v >= 0; v--) {
    const at = work.trailStart[v]! + s;
    assignment[v] = work.pick[at]!;
    s = work.from[at]!;
  }
  return { cost: cost[best]!, assignment };
}

/** The live tensors (nodes a later node still reads) and how many states (configurations of them) there are. */
interface Frontier {
  readonly live: readonly number[];
  readonly states: number;
}

/**
 * One search's arrays, reused from node to node: at 10,000 layers, allocating a dozen small typed arrays per
 * node was most of the search. The frontier's costs alternate between two buffers (node v reads buffer v mod
 * 2 and writes the other); the trail (per node and state, the state it came from and the configuration
 * chosen, for reading the best assignment back) is one growing array, node v's part at `trailStart[v]`.
 */
class Workspace {
  private costs: [Float64Array, Float64Array] = [new Float64Array(16), new Float64Array(16)];
  from = new Int32Array(1024);
  pick = new Int32Array(1024);
  readonly trailStart: number[] = [];
  private trailEnd = 0;
  private scratch: Int32Array[] = [];
  private unaryBuffer = new Float64Array(16);

  /** Cost buffer `which` (0 or 1), at least `size` long. */
  cost(which: number, size: number): Float64Array {
    if (this.costs[which]!.length < size)
      this.costs[which] = new Float64Array(Math.max(size, 2 * this.costs[which]!.length));
    return this.costs[which]!;
  }

  /** Node v's part of the trail, `size` entries of `from` and `pick`, set to −1; returns where it starts. */
  trail(v: number, size: number): number {
    const start = this.trailEnd;
    if (start + size > this.from.length) {
      const grown = Math.max(start + size, 2 * this.from.length);
      const from = new Int32Array(grown);
      const pick = new Int32Array(grown);
      from.set(this.from.subarray(0, start));
      pick.set(this.pick.subarray(0, start));
      this.from = from;
      this.pick = pick;
    }
    this.from.fill(-1, start, start + size);
    this.pick.fill(-1, start, start + size);
    this.trailStart[v] = start;
    this.trailEnd = start + size;
    return start;
  }

  /** Working array `slot`, at least `length` long; zeroed over `length` when asked. */
  ints(slot: number, length: number, zeroed: boolean): Int32Array {
    let array = this.scratch[slot];
    if (!array || array.length < length) {
      array = new Int32Array(Math.max(length, 2 * (array?.length ?? 0), 16));
      this.scratch[slot] = array;
    } else if (zeroed) array.fill(0, 0, length);
    return array;
  }

  unary(length: number): Float64Array {
    if (this.unaryBuffer.length < length)
      this.unaryBuffer = new Float64Array(Math.max(length, 2 * this.unaryBuffer.length));
    return this.unaryBuffer;
  }
}

/** Workspace.ints slots: the state's index among the kept tensors, the odometer's digits and weights, zeros. */
const KEPT = 0;
const DIGITS = 1;
const WEIGHTS = 2;
const ZERO_ROWS = 3;
/** Input j's rows in its edge table are slot ROWS + j. */
const ROWS = 4;

/**
 * Node v placed: the frontier after it, its costs in the workspace's other cost buffer and its part of the
 * trail. Undefined when the new frontier would exceed MAX_STATES. Each piece of the DP is a small function of
 * its own: as one loop body, V8 recompiled and deoptimised the whole search at each change of node shape, and
 * a first (whole-process) search ran mostly unoptimised.
 */
function advance(
  problem: DagProblem,
  work: Workspace,
  { live, states }: Frontier,
  v: number,
  lastUse: readonly number[],
  base: number,
): Frontier | undefined {
  // Plain loops, not `map`, `filter` or `TypedArray.from`: this runs once per node, and `from` walks its
  // source with the iterator protocol, an object per element until V8 optimises it.
  const ins = problem.inputs[v]!;
  const slots: number[] = [];
  for (const u of ins) slots.push(live.indexOf(u));
  const nextLive: number[] = [];
  const keepSlots: number[] = [];
  for (let i = 0; i < live.length; i++) {
    if (lastUse[live[i]!]! <= v) continue;
    nextLive.push(live[i]!);
    keepSlots.push(i);
  }
  const selfLive = lastUse[v]! > v;
  if (selfLive) nextLive.push(v);
  const size = base ** nextLive.length;
  if (size > MAX_STATES) return undefined;
  const allowed = problem.allowed[v]!;
  const A = allowed.length;
  const unary = work.unary(A);
  for (let a = 0; a < A; a++) unary[a] = problem.unary(v, allowed[a]!);
  // edges[j][i · A + a]: the cost of input j in its allowed[i] with this node in allowed[a].
  let edges = problem.edgeCache?.get(v);
  if (!edges) {
    edges = [];
    for (const u of ins) edges.push(edgeTable(problem, u, v, base));
    problem.edgeCache?.set(v, edges);
  }
  const cost = work.cost(v % 2, states);
  const next = work.cost((v + 1) % 2, size);
  next.fill(Infinity, 0, size);
  // Reserved before the trail's arrays are read: reserving may grow them into new ones.
  const at = work.trail(v, size);
  const target: Relaxation = {
    next,
    from: work.from,
    pick: work.pick,
    at,
    allowed,
    unary,
    A,
    step: selfLive ? base ** keepSlots.length : 0,
  };
  const kept = stateIndices(work, states, live.length, base, slots, keepSlots, A);
  if (ins.length === 0) relaxAll(target, cost, states, kept, zeros(A), work.ints(ZERO_ROWS, states, true));
  else if (ins.length === 1) relaxAll(target, cost, states, kept, edges[0]!, work.ints(ROWS, states, false));
  else if (ins.length === 2)
    relaxAll2(
      target,
      cost,
      states,
      kept,
      edges[0]!,
      work.ints(ROWS, 0, false),
      edges[1]!,
      work.ints(ROWS + 1, 0, false),
    );
  else {
    // Three or more inputs (a concat): their edge costs for each of this node's choices, summed per state.
    const summed = new Float64Array(states * A);
    const row = new Int32Array(states);
    for (let s = 0; s < states; s++) row[s] = s * A;
    edges.forEach((e, j) => addRows(summed, e, work.ints(ROWS + j, 0, false), states, A));
    relaxAll(target, cost, states, kept, summed, row);
  }
  return { live: nextLive, states: size };
}

const zeroRows = new Map<number, Float64Array>();
function zeros(length: number): Float64Array {
  let z = zeroRows.get(length);
  if (!z) zeroRows.set(length, (z = new Float64Array(length)));
  return z;
}

/**
 * Per state of the frontier: its index among the live tensors still kept after this node (returned), and each
 * input's row (digit · A) in its edge table (workspace slot ROWS + j), read off an odometer of the state's
 * digits rather than divided out. Valid over the first `states` entries until the next node.
 */
function stateIndices(
  work: Workspace,
  states: number,
  liveCount: number,
  base: number,
  slots: readonly number[],
  keepSlots: readonly number[],
  A: number,
): Int32Array {
  const kept = work.ints(KEPT, states, false);
  const rows: Int32Array[] = [];
  for (let j = 0; j < slots.length; j++) rows.push(work.ints(ROWS + j, states, false));
  const digits = work.ints(DIGITS, liveCount, true);
  const keepWeight = work.ints(WEIGHTS, liveCount, true);
  for (let i = 0; i < keepSlots.length; i++) keepWeight[keepSlots[i]!] = base ** i;
  let keptIndex = 0;
  for (let s = 0; s < states; s++) {
    kept[s] = keptIndex;
    for (let j = 0; j < slots.length; j++) rows[j]![s] = digits[slots[j]!]! * A;
    for (let i = 0; i < liveCount; i++) {
      if (++digits[i]! < base) {
        keptIndex += keepWeight[i]!;
        break;
      }
      digits[i] = 0;
      keptIndex -= (base - 1) * keepWeight[i]!;
    }
  }
  return kept;
}

/** `summed[s · A + a] += edge[rows[s] + a]` for every state s. */
function addRows(
  summed: Float64Array,
  edge: Float64Array,
  rows: Int32Array,
  states: number,
  A: number,
): void {
  for (let s = 0; s < states; s++) {
    const to = s * A;
    const at = rows[s]!;
    for (let a = 0; a < A; a++) summed[to + a] = summed[to + a]! + edge[at + a]!;
  }
}

/** Where one node's choices land: `next[kept + a · step]` for its a-th allowed configuration. */
interface Relaxation {
  readonly next: Float64Array;
  /** The trail: entry `at + i` is new state i's previous state and the configuration chosen. */
  readonly from: Int32Array;
  readonly pick: Int32Array;
  readonly at: number;
  readonly allowed: readonly number[];
  readonly unary: Float64Array;
  readonly A: number;
  readonly step: number;
}

/** Every reachable state's move to each of the node's choices, its edge costs at `edge[rows[s] + a]`. */
function relaxAll(
  t: Relaxation,
  cost: Float64Array,
  states: number,
  kept: Int32Array,
  edge: Float64Array,
  rows: Int32Array,
): void {
  for (let s = 0; s < states; s++) {
    const c0 = cost[s]!;
    if (c0 !== Infinity) relax(t, s, c0, kept[s]!, edge, rows[s]!);
  }
}

/** One state's move to each of the node's choices. */
function relax(t: Relaxation, s: number, c0: number, kept: number, edge: Float64Array, row: number): void {
  const { next, from, pick, at, allowed, unary, A, step } = t;
  for (let a = 0; a < A; a++) {
    // An infinite sum never beats `next`'s initial Infinity: unreachable choices need no test of their own.
    const c = c0 + unary[a]! + edge[row + a]!;
    const idx = kept + a * step;
    if (c < next[idx]!) {
      next[idx] = c;
      from[at + idx] = s;
      pick[at + idx] = allowed[a]!;
    }
  }
}

/** `relaxAll` for a node of two inputs (a residual add), their edge costs at `e0[r0[s] + a] + e1[r1[s] + a]`. */
function relaxAll2(
  t: Relaxation,
  cost: Float64Array,
  states: number,
  kept: Int32Array,
  e0: Float64Array,
  r0: Int32Array,
  e1: Float64Array,
  r1: Int32Array,
): void {
  const { next, from, pick, at, allowed, unary, A, step } = t;
  for (let s = 0; s < states; s++) {
    const c0 = cost[s]!;
    if (c0 === Infinity) continue;
    const row0 = r0[s]!;
    const row1 = r1[s]!;
    const k0 = kept[s]!;
    for (let a = 0; a < A; a++) {
      const c = c0 + unary[a]! + e0[row0 + a]! + e1[row1 + a]!;
      const idx = k0 + a * step;
      if (c < next[idx]!) {
        next[idx] = c;
        from[at + idx] = s;
        pick[at + idx] = allowed[a]!;
      }
    }
  }
}

/** `t[i · A + a]`: the edge cost of input u in its allowed[i] with node v in its allowed[a]. */
function edgeTable(problem: DagProblem, u: number, v: number, base: number): Float64Array {
  const fromAllowed = problem.allowed[u]!;
  const allowed = problem.allowed[v]!;
  const A = allowed.length;
  const t = new Float64Array(base * A);
  const whole = problem.edgeMatrix?.(u, v);
  if (whole) {
    const { matrix, K } = whole;
    for (let i = 0; i < fromAllowed.length; i++) {
      for (let a = 0; a < A; a++) t[i * A + a] = matrix[fromAllowed[i]! * K + allowed[a]!]!;
    }
    return t;
  }
  for (let i = 0; i < fromAllowed.length; i++) {
    for (let a = 0; a < A; a++) t[i * A + a] = problem.edge(u, fromAllowed[i]!, v, allowed[a]!);
  }
  return t;
}

/** The cost of a given assignment under the same problem (for checks and runner-ups). */
export function assignmentCost(problem: DagProblem, assignment: readonly number[]): number {
  let cost = 0;
  problem.inputs.forEach((ins, v) => {
    const k = assignment[v]!;
    cost += problem.unary(v, k);
    for (const u of ins) cost += problem.edge(u, assignment[u]!, v, k);
  });
  return cost;
}
