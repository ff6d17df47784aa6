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
}

export interface DagSolution {
  readonly cost: number;
  /** A configuration index per node. */
  readonly assignment: number[];
}

interface Trail {
  readonly k: number;
  readonly prev: Trail | undefined;
}

interface State {
  cost: number;
  /** Configurations of the live nodes, in `live` order. */
  readonly live: readonly number[];
  readonly trail: Trail | undefined;
}

/**
 * Exact minimisation by dynamic programming over the topological order, keeping as state the configurations
 * of the live tensors (nodes whose output a later node still reads). On a chain the frontier is one node, so
 * the work is L · K²; a residual block adds one live tensor while it is open. This is OptCNN's node/edge
 * elimination done in program order: a node is eliminated once its last consumer has been placed.
 */
export function solveDag(problem: DagProblem): DagSolution | undefined {
  const n = problem.inputs.length;
  const lastUse = Array.from({ length: n }, (_, v) => v);
  problem.inputs.forEach((ins, v) => ins.forEach((u) => (lastUse[u] = Math.max(lastUse[u]!, v))));

  const base = 1 + Math.max(0, ...problem.allowed.map((a) => Math.max(-1, ...a)));
  // Numeric keys while the live configurations fit in a double's exact integers; strings beyond.
  const keyOf = (live: readonly number[]): number | string => {
    if (live.length * Math.log2(base) >= 52) return live.join(",");
    let key = 0;
    for (const k of live) key = key * base + k;
    return key;
  };
  let liveNodes: number[] = [];
  let states = new Map<number | string, State>([[0, { cost: 0, live: [], trail: undefined }]]);
  for (let v = 0; v < n; v++) {
    const ins = problem.inputs[v]!;
    const slots = ins.map((u) => liveNodes.indexOf(u));
    const nextLive = liveNodes.filter((u) => lastUse[u]! > v);
    const keepSlots = nextLive.map((u) => liveNodes.indexOf(u));
    const selfLive = lastUse[v]! > v;
    if (selfLive) nextLive.push(v);
    const next = new Map<number | string, State>();
    const allowed = problem.allowed[v]!;
    const unary = allowed.map((k) => problem.unary(v, k));
    for (const state of states.values()) {
      const kept = keepSlots.map((slot) => state.live[slot]!);
      const keptKey = selfLive ? undefined : keyOf(kept);
      for (let a = 0; a < allowed.length; a++) {
        const k = allowed[a]!;
        let cost = state.cost + unary[a]!;
        for (let j = 0; j < ins.length; j++) cost += problem.edge(ins[j]!, state.live[slots[j]!]!, v, k);
        if (!Number.isFinite(cost)) continue;
        const live = selfLive ? [...kept, k] : kept;
        const key = keptKey ?? keyOf(live);
        const known = next.get(key);
        if (known === undefined || cost < known.cost) {
          next.set(key, { cost, live, trail: { k, prev: state.trail } });
        }
      }
    }
    if (next.size === 0) return undefined;
    states = next;
    liveNodes = nextLive;
  }
  let best: State | undefined;
  for (const state of states.values()) if (best === undefined || state.cost < best.cost) best = state;
  if (!best) return undefined;
  const assignment = new Array<number>(n);
  let trail = best.trail;
  for (let v = n - 1; v >= 0; v--) {
    assignment[v] = trail!.k;
    trail = trail!.prev;
  }
  return { cost: best.cost, assignment };
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
