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

  let live: number[] = [];
  let cost = new Float64Array([0]);
  // Per node: for each new state, the previous state it came from and the configuration chosen.
  const fromState: Int32Array[] = [];
  const chosen: Int32Array[] = [];
  for (let v = 0; v < n; v++) {
    const ins = problem.inputs[v]!;
    const slots = ins.map((u) => live.indexOf(u));
    const nextLive = live.filter((u) => lastUse[u]! > v);
    const keepSlots = nextLive.map((u) => live.indexOf(u));
    const selfLive = lastUse[v]! > v;
    if (selfLive) nextLive.push(v);
    const size = base ** nextLive.length;
    if (size > MAX_STATES) return undefined;
    const allowed = problem.allowed[v]!;
    const unary = allowed.map((k) => problem.unary(v, k));
    // edges[j][i · A + a]: the cost of input j in its allowed[i] with this node in allowed[a].
    const A = allowed.length;
    let edges = problem.edgeCache?.get(v);
    if (!edges) {
      edges = ins.map((u) => {
        const fromAllowed = problem.allowed[u]!;
        const t = new Float64Array(base * A);
        for (let i = 0; i < fromAllowed.length; i++) {
          for (let a = 0; a < A; a++) t[i * A + a] = problem.edge(u, fromAllowed[i]!, v, allowed[a]!);
        }
        return t;
      });
      problem.edgeCache?.set(v, edges);
    }
    const next = new Float64Array(size).fill(Infinity);
    const from = new Int32Array(size).fill(-1);
    const pick = new Int32Array(size).fill(-1);
    const selfWeight = base ** keepSlots.length;
    const digits = new Array<number>(live.length).fill(0);
    for (let s = 0; s < cost.length; s++) {
      const c0 = cost[s]!;
      if (c0 === Infinity) continue;
      let rest = s;
      for (let i = 0; i < live.length; i++) {
        digits[i] = rest % base;
        rest = Math.floor(rest / base);
      }
      let kept = 0;
      for (let i = keepSlots.length - 1; i >= 0; i--) kept = kept * base + digits[keepSlots[i]!]!;
      for (let a = 0; a < A; a++) {
        let c = c0 + unary[a]!;
        for (let j = 0; j < ins.length; j++) c += edges[j]![digits[slots[j]!]! * A + a]!;
        if (!(c < Infinity)) continue;
        const idx = selfLive ? kept + a * selfWeight : kept;
        if (c < next[idx]!) {
          next[idx] = c;
          from[idx] = s;
          pick[idx] = allowed[a]!;
        }
      }
    }
    fromState.push(from);
    chosen.push(pick);
    cost = next;
    live = nextLive;
  }
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
