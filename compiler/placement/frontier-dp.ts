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
  const base = problem.allowed.reduce((m, a) => Math.max(m, a.length), 1);
  const lastUse = Array.from({ length: n }, (_, v) => v);
  problem.inputs.forEach((ins, v) => ins.forEach((u) => (lastUse[u] = Math.max(lastUse[u]!, v))));

  let frontier: Frontier = { live: [], cost: new Float64Array([0]) };
  // Per node: for each new state, the previous state it came from and the configuration chosen.
  const fromState: Int32Array[] = [];
  const chosen: Int32Array[] = [];
  for (let v = 0; v < n; v++) {
    const step = advance(problem, frontier, v, lastUse, base);
    if (!step) return undefined;
    fromState.push(step.from);
    chosen.push(step.pick);
    frontier = step.frontier;
  }
  const cost = frontier.cost;
  let best = -1;
  for (let s = 0; s < cost.length; s++)
    if (cost[s]! < Infinity && (best < 0 || cost[s]! < cost[best]!)) best = s;
  if (best < 0) return undefined;
  const assignment = new Array<number>(n);
  let s = best;
  for (let v = n - 1; v >= 0; v--) {
    assignment[v] = chosen[v]![s]!;
    s = fromState[v]![s]!;
  }
  return { cost: cost[best]!, assignment };
}

/** The live tensors (nodes a later node still reads) and the best cost of each of their configurations. */
interface Frontier {
  readonly live: readonly number[];
  readonly cost: Float64Array;
}

/**
 * Node v placed: the frontier after it, and per new state the state it came from and v's configuration.
 * Undefined when the new frontier would exceed MAX_STATES. Each piece of the DP is a small function of its
 * own: as one loop body, V8 recompiled and deoptimised the whole search at each change of node shape, and a
 * first (whole-process) search ran mostly unoptimised.
 */
function advance(
  problem: DagProblem,
  { live, cost }: Frontier,
  v: number,
  lastUse: readonly number[],
  base: number,
): { frontier: Frontier; from: Int32Array; pick: Int32Array } | undefined {
  const ins = problem.inputs[v]!;
  const slots = ins.map((u) => live.indexOf(u));
  const nextLive = live.filter((u) => lastUse[u]! > v);
  const keepSlots = nextLive.map((u) => live.indexOf(u));
  const selfLive = lastUse[v]! > v;
  if (selfLive) nextLive.push(v);
  const size = base ** nextLive.length;
  if (size > MAX_STATES) return undefined;
  const allowed = Int32Array.from(problem.allowed[v]!);
  const unary = Float64Array.from(allowed, (k) => problem.unary(v, k));
  const A = allowed.length;
  // edges[j][i · A + a]: the cost of input j in its allowed[i] with this node in allowed[a].
  let edges = problem.edgeCache?.get(v);
  if (!edges) {
    edges = ins.map((u) => edgeTable(problem, u, v, base));
    problem.edgeCache?.set(v, edges);
  }
  const target: Relaxation = {
    next: new Float64Array(size).fill(Infinity),
    from: new Int32Array(size).fill(-1),
    pick: new Int32Array(size).fill(-1),
    allowed,
    unary,
    step: selfLive ? base ** keepSlots.length : 0,
  };
  const { kept, rows } = stateIndices(cost.length, live.length, base, slots, keepSlots, A);
  if (ins.length === 0) relaxAll(target, cost, kept, new Float64Array(A), new Int32Array(cost.length));
  else if (ins.length === 1) relaxAll(target, cost, kept, edges[0]!, rows[0]!);
  else if (ins.length === 2) relaxAll2(target, cost, kept, edges[0]!, rows[0]!, edges[1]!, rows[1]!);
  else {
    // Three or more inputs (a concat): their edge costs for each of this node's choices, summed per state.
    const summed = new Float64Array(cost.length * A);
    const row = new Int32Array(cost.length);
    for (let s = 0; s < cost.length; s++) row[s] = s * A;
    edges.forEach((e, j) => addRows(summed, e, rows[j]!, A));
    relaxAll(target, cost, kept, summed, row);
  }
  return { frontier: { live: nextLive, cost: target.next }, from: target.from, pick: target.pick };
}

/**
 * Per state of the frontier: its index among the live tensors still kept after this node, and each input's
 * row (digit · A) in its edge table, read off an odometer of the state's digits rather than divided out.
 */
function stateIndices(
  states: number,
  liveCount: number,
  base: number,
  slots: readonly number[],
  keepSlots: readonly number[],
  A: number,
): { kept: Int32Array; rows: Int32Array[] } {
  const kept = new Int32Array(states);
  const rows = slots.map(() => new Int32Array(states));
  const digits = new Int32Array(liveCount);
  const keepWeight = new Int32Array(liveCount);
  keepSlots.forEach((slot, i) => (keepWeight[slot] = base ** i));
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
  return { kept, rows };
}

/** `summed[s · A + a] += edge[rows[s] + a]` for every state s. */
function addRows(summed: Float64Array, edge: Float64Array, rows: Int32Array, A: number): void {
  for (let s = 0; s < rows.length; s++) {
    const to = s * A;
    const at = rows[s]!;
    for (let a = 0; a < A; a++) summed[to + a] = summed[to + a]! + edge[at + a]!;
  }
}

/** Every reachable state's move to each of the node's choices, its edge costs at `edge[rows[s] + a]`. */
function relaxAll(
  t: Relaxation,
  cost: Float64Array,
  kept: Int32Array,
  edge: Float64Array,
  rows: Int32Array,
): void {
  for (let s = 0; s < cost.length; s++) {
    const c0 = cost[s]!;
    if (c0 !== Infinity) relax(t, s, c0, kept[s]!, edge, rows[s]!);
  }
}

/** Where one node's choices land: `next[kept + a · step]` for its a-th allowed configuration. */
interface Relaxation {
  readonly next: Float64Array;
  readonly from: Int32Array;
  readonly pick: Int32Array;
  readonly allowed: Int32Array;
  readonly unary: Float64Array;
  readonly step: number;
}

/** One state's move to each of the node's choices. */
function relax(t: Relaxation, s: number, c0: number, kept: number, edge: Float64Array, row: number): void {
  const { next, from, pick, allowed, unary, step } = t;
  for (let a = 0; a < unary.length; a++) {
    // An infinite sum never beats `next`'s initial Infinity: unreachable choices need no test of their own.
    const c = c0 + unary[a]! + edge[row + a]!;
    const idx = kept + a * step;
    if (c < next[idx]!) {
      next[idx] = c;
      from[idx] = s;
      pick[idx] = allowed[a]!;
    }
  }
}

/** `relaxAll` for a node of two inputs (a residual add), their edge costs at `e0[r0[s] + a] + e1[r1[s] + a]`. */
function relaxAll2(
  t: Relaxation,
  cost: Float64Array,
  kept: Int32Array,
  e0: Float64Array,
  r0: Int32Array,
  e1: Float64Array,
  r1: Int32Array,
): void {
  const { next, from, pick, allowed, unary, step } = t;
  for (let s = 0; s < cost.length; s++) {
    const c0 = cost[s]!;
    if (c0 === Infinity) continue;
    const row0 = r0[s]!;
    const row1 = r1[s]!;
    const k0 = kept[s]!;
    for (let a = 0; a < unary.length; a++) {
      const c = c0 + unary[a]! + e0[row0 + a]! + e1[row1 + a]!;
      const idx = k0 + a * step;
      if (c < next[idx]!) {
        next[idx] = c;
        from[idx] = s;
        pick[idx] = allowed[a]!;
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
