import { BYTES_PER_ELEMENT } from "../ir/element-bytes.js";
import type { RelatedNote } from "../diagnostics/diagnostic.js";
import type { DType, Graph, IRNode } from "../ir/graph.js";
import { inputAttrsOf } from "../ir/input-attrs.js";
import { OPS, isShapeError, product, type Shape } from "../ops/index.js";
import type { PassContext } from "../diagnostics/pass-context.js";

/** Every tensor element is 4 bytes: float32 activations, int32 token ids. */

/**
 * Fills every node's output shape, Keras-exact parameter counts, forward FLOPs and activation bytes, from the
 * op table's shape rules. A shape mistake is reported at the layer's span (with the block call sites as notes)
 * and the layer's consumers are skipped, so one mistake gives one diagnostic rather than a cascade.
 */
export function inferShapes(graph: Graph, ctx: PassContext): Graph {
  const nodes: IRNode[] = [];
  for (const node of graph.nodes) nodes.push(inferNode(node, nodes, ctx));
  return { ...graph, nodes };
}

function inferNode(node: IRNode, done: readonly IRNode[], ctx: PassContext): IRNode {
  if (node.op === "input") {
    return finish(node, inputAttrsOf(node).shape, node.dtype, { trainable: 0, nonTrainable: 0 }, 0);
  }
  const spec = OPS.get(node.op);
  const producers = node.inputs.map((id) => done[id]);
  const shapes: Shape[] = [];
  for (const p of producers) if (p?.outputShape) shapes.push(p.outputShape);
  if (!spec || shapes.length !== node.inputs.length || shapes.length === 0) return node;
  const first = producers[0]!;
  const result = spec.infer({
    shapes,
    attrs: node.attrs,
    ...(first.op === "input" && node.inputs.length === 1 ? { fromInput: first.name } : {}),
  });
  if (isShapeError(result)) {
    const notes: RelatedNote[] = node.callSites.map((span) => ({ message: "in block call here", span }));
    ctx.diagnostics.report(result.code, node.span, result.args, {
      ...(result.hint !== undefined ? { hint: result.hint } : {}),
      notes,
    });
    return node;
  }
  const dtype: DType = spec.keepsDtype ? first.dtype : "float32";
  const filled = result.attrs ? { ...node, attrs: { ...node.attrs, ...result.attrs } } : node;
  return finish(filled, result.shape, dtype, result.params, result.flops, result.saved);
}

function finish(
  node: IRNode,
  shape: Shape,
  dtype: DType,
  params: { trainable: number; nonTrainable: number },
  flops: number,
  saved?: number,
): IRNode {
  // Spelled out rather than `{ ...node, ... }`: at 10,000 layers the spread took two thirds of this pass, and
  // nodes built field by field share one shape, which the cost pass reads faster too. Same keys, same order.
  const out: IRNode = {
    id: node.id,
    name: node.name,
    op: node.op,
    attrs: node.attrs,
    inputs: node.inputs,
    dtype,
    hints: node.hints,
    span: node.span,
    callSites: node.callSites,
    outputShape: shape,
    params: { trainable: params.trainable, nonTrainable: params.nonTrainable },
    flops,
    activationBytes: product(shape) * BYTES_PER_ELEMENT,
  };
  return saved !== undefined ? { ...out, savedBytes: saved * BYTES_PER_ELEMENT } : out;
}
