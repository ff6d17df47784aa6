import type { Attrs, DType } from "./graph.js";

/** An `input` node's attrs, as `lower` writes them: the declared per-sample shape and the dtype. */
export interface InputAttrs {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * The typed attrs of an `input` node (not an op, so not in `OpAttrs`): the shape it declares and its dtype
 * (`float32` unless `int32`). A node that is not an input, or one without a shape, is a bug upstream: it throws.
 */
export function inputAttrsOf(node: {
  readonly op: string;
  readonly name?: string;
  readonly attrs?: Attrs;
}): InputAttrs {
  const where = `IR node '${node.name ?? "?"}' (${node.op})`;
  if (node.op !== "input") throw new Error(`internal: ${where} read as an input`);
  const shape = node.attrs?.["shape"];
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === "number"))
    throw new TypeError(`internal: ${where} has no shape attr`);
  return {
    shape: shape as readonly number[],
    dtype: node.attrs?.["dtype"] === "int32" ? "int32" : "float32",
  };
}
