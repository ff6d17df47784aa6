import { describe, expect, it } from "vitest";
import type { Graph, IRNode } from "../../compiler/ir/graph.js";
import { verifyGraph } from "../../compiler/ir/verify.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { buildModel, context } from "./build.js";

function valid(): Graph {
  const ctx = context();
  return inferShapes(lower(buildModel([4], [{ op: "dense", pos: [3] }, { op: "relu" }]), ctx), ctx);
}

const edit = (g: Graph, i: number, change: Partial<IRNode>): Graph => ({
  ...g,
  nodes: g.nodes.map((n, j) => (j === i ? { ...n, ...change } : n)),
});

describe("verifyGraph", () => {
  it("accepts a lowered and an inferred graph", () => {
    expect(verifyGraph(valid())).toEqual([]);
    expect(verifyGraph(lower(buildModel([4], [{ op: "relu" }]), context()))).toEqual([]);
  });
  it("finds each broken invariant", () => {
    const g = valid();
    expect(verifyGraph(edit(g, 1, { id: 7 }))).toEqual(["node 1 'dense': id 7 is not its index"]);
    expect(verifyGraph(edit(g, 2, { name: "dense" }))).toEqual(["node 2 'dense': name is not unique"]);
    expect(verifyGraph(edit(g, 1, { inputs: [2] }))).toEqual([
      "node 1 'dense': input 2 is not earlier (the order is not topological)",
    ]);
    expect(verifyGraph(edit(g, 1, { inputs: [9] }))).toEqual(["node 1 'dense': input 9 is not defined"]);
    expect(verifyGraph(edit(g, 2, { outputShape: undefined }))).toEqual(["node 2 'relu': shape not known"]);
    expect(verifyGraph({ ...g, outputs: [5] })).toEqual(["graph: input/output id 5 is not a node"]);
  });
});
