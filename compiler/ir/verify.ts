import type { Graph } from "./graph.js";

/**
 * The IR's invariants, as a list of violations (empty = valid). Tests run it after every pass; a violation is
 * a compiler bug, never a user mistake. Once any node has a shape (after infer-shapes), every node must have its
 * shape, parameters, FLOPs and activation bytes; `shapesKnown` forces that check either way.
 */
export function verifyGraph(graph: Graph, options: { shapesKnown?: boolean } = {}): string[] {
  const shapesKnown = options.shapesKnown ?? graph.nodes.some((n) => n.outputShape !== undefined);
  const problems: string[] = [];
  const names = new Set<string>();
  graph.nodes.forEach((node, index) => {
    const where = `node ${index} '${node.name}'`;
    if (node.id !== index) problems.push(`${where}: id ${node.id} is not its index`);
    if (names.has(node.name)) problems.push(`${where}: name is not unique`);
    names.add(node.name);
    if (node.op === "input" && node.inputs.length > 0) problems.push(`${where}: an input node has inputs`);
    if (node.op !== "input" && node.inputs.length === 0) problems.push(`${where}: has no inputs`);
    for (const input of node.inputs) {
      if (!Number.isInteger(input) || input < 0 || input >= graph.nodes.length) {
        problems.push(`${where}: input ${input} is not defined`);
      } else if (input >= index) {
        problems.push(`${where}: input ${input} is not earlier (the order is not topological)`);
      }
    }
    if (shapesKnown) {
      const shape = node.outputShape;
      if (!shape || shape.some((d) => !Number.isInteger(d) || d < 1))
        problems.push(`${where}: shape not known`);
      if (!node.params || node.flops === undefined || node.activationBytes === undefined) {
        problems.push(`${where}: params, flops or activation bytes not known`);
      }
    }
  });
  for (const id of [...graph.inputs, ...graph.outputs]) {
    if (!graph.nodes[id]) problems.push(`graph: input/output id ${id} is not a node`);
  }
  for (const id of graph.inputs) {
    if (graph.nodes[id] && graph.nodes[id].op !== "input")
      problems.push(`graph: input ${id} is not an input node`);
  }
  return problems;
}
