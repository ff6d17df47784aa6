import type { Graph, IRNode } from "../../ir/graph.js";
import { inputAttrsOf } from "../../ir/input-attrs.js";

/** Shapes the Python emitters write: what flows into a node, and Keras's `same` padding for torch. */

/** The per-sample shape feeding input `i` of a node. */
export function inputShape(graph: Graph, node: IRNode, i = 0): readonly number[] {
  const id = node.inputs[i];
  const producer = id === undefined ? undefined : graph.nodes[id];
  return producer ? shapeOf(producer) : [];
}

/** A node's output shape; an `input` node's declared shape when shapes were not inferred. */
export function shapeOf(node: IRNode): readonly number[] {
  return node.outputShape ?? (node.op === "input" ? inputAttrsOf(node).shape : []);
}

/**
 * Keras's padding for one spatial axis as [before, after]: `same` pads so that out = ceil(in / stride), the odd
 * cell after (bottom, right), which is what torch's own `padding="same"` cannot do for strides above 1.
 */
export function samePadding(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
): [number, number] {
  const window = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + window - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
