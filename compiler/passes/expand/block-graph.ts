import type { Statement } from "../../../grammar/ast.js";
import type { Span } from "../../diagnostics/span.js";
import { OPS } from "../../ops/index.js";
import type { BlockInfo } from "./block-table.js";
import type { Reporter } from "./reporter.js";

interface Edge {
  readonly callee: string;
  readonly span: Span;
}

/** Every block named by a call in the statements, with the call's span, repeat bodies included. */
function calls(body: readonly Statement[], blocks: ReadonlyMap<string, BlockInfo>, out: Edge[] = []): Edge[] {
  for (const s of body) {
    if (s.kind === "repeat") calls(s.body, blocks, out);
    else if (s.kind === "binding" || s.kind === "chain") {
      for (const e of s.chain.elements) {
        if (e.kind === "call" && blocks.has(e.name.name)) out.push({ callee: e.name.name, span: e.span });
      }
    }
  }
  return out;
}

/**
 * An upper bound on the layers the statements create, so a `repeat 1000000 { repeat 1000000 { ... } }` is
 * refused before it is unrolled. Saturates at Infinity rather than overflowing.
 */
export function estimateSize(body: readonly Statement[], blocks: ReadonlyMap<string, BlockInfo>): number {
  let total = 0;
  for (const s of body) {
    if (s.kind === "input") total += 1;
    else if (s.kind === "repeat") {
      const count = Number.isInteger(s.count.value) && s.count.value > 0 ? s.count.value : 0;
      const inner = count === 0 ? 0 : estimateSize(s.body, blocks);
      total += inner === 0 ? 0 : count * inner;
    } else if (s.kind === "binding" || s.kind === "chain") {
      for (const e of s.chain.elements) {
        if (e.kind !== "call") continue;
        const block = blocks.get(e.name.name);
        if (block) total += block.recursive ? 0 : block.size;
        else if (OPS.has(e.name.name) || e.args || e.hints.length > 0) total += 1;
      }
    }
  }
  return total;
}

/**
 * Finds recursion (direct or mutual) among blocks and reports each cycle once, naming it
 * (`residual -> bottleneck -> residual`); then sizes every block, callees first. Iterative, so a long chain of
 * blocks cannot overflow the stack here.
 */
export function checkBlockGraph(blocks: ReadonlyMap<string, BlockInfo>, reporter: Reporter): void {
  const edges = new Map<string, Edge[]>();
  for (const [name, info] of blocks) edges.set(name, calls(info.decl.body, blocks));
  const state = new Map<string, "active" | "done">();
  const order: string[] = [];
  for (const root of blocks.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, "active");
    while (path.length > 0) {
      const top = path.length - 1;
      const name = path[top]!;
      const out = edges.get(name) ?? [];
      const i = next[top]!;
      if (i >= out.length) {
        state.set(name, "done");
        order.push(name);
        path.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const edge = out[i]!;
      const seen = state.get(edge.callee);
      if (seen === undefined) {
        state.set(edge.callee, "active");
        path.push(edge.callee);
        next.push(0);
      } else if (seen === "active") {
        const cycle = path.slice(path.indexOf(edge.callee));
        for (const member of cycle) blocks.get(member)!.recursive = true;
        reporter.report("MG1012", edge.span, [[...cycle, edge.callee].join(" -> ")]);
      }
    }
  }
  for (const name of order) {
    const info = blocks.get(name)!;
    info.size = info.recursive ? 0 : estimateSize(info.decl.body, blocks);
  }
}
