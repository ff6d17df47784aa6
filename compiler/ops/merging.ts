import { arg } from "./arg-schema.js";
import { CHANNELWISE, REPLICATED, type OpSpec } from "./op-spec.js";
import { NO_PARAMS, numAttr, product, showShape } from "./shape-utils.js";

const showAll = (shapes: readonly (readonly number[])[]) => shapes.map(showShape).join(" and ");

/** `add(a, b, ...)` and `multiply(...)`: Keras `Add` / `Multiply` of same-shaped tensors. No attrs. */
function elementwise<N extends string>(name: N, keras: string): OpSpec<N, readonly []> {
  return {
    name,
    keras,
    tensorInputs: "many",
    args: [],
    sharding: CHANNELWISE,
    infer({ shapes }) {
      const first = shapes[0]!;
      if (shapes.some((s) => s.length !== first.length || s.some((d, i) => d !== first[i]))) {
        return {
          code: "MG2005",
          args: [name, showAll(shapes)],
          hint: "project the shortcut to the same shape first (a 1×1 conv2d with matching filters and strides)",
        };
      }
      return { shape: first, params: NO_PARAMS, flops: product(first) * (shapes.length - 1) };
    },
  };
}

export const add = elementwise("add", "Add");
export const multiply = elementwise("multiply", "Multiply");

/**
 * `concat(a, b, ..., axis=-1)`: Keras `Concatenate`. Normalised attrs: `{ axis: int }` as written, Keras-style:
 * counting the batch axis as 0, so -1 is the last axis and 1 the first per-sample axis.
 */
export const concat = {
  name: "concat",
  keras: "Concatenate",
  tensorInputs: "many",
  args: [arg.optional("axis", { kind: "int" }, -1)],
  sharding: REPLICATED,
  infer({ shapes, attrs }) {
    const first = shapes[0]!;
    const rank = first.length;
    const written = numAttr(attrs, "axis");
    const axis = written < 0 ? rank + written : written - 1;
    if (axis < 0 || axis >= rank) return { code: "MG2007", args: [written, rank] };
    const mismatch = shapes.some((s) => s.length !== rank || s.some((d, i) => i !== axis && d !== first[i]));
    if (mismatch) return { code: "MG2006", args: [written, showAll(shapes)] };
    const out = first.map((d, i) => (i === axis ? shapes.reduce((sum, s) => sum + s[i]!, 0) : d));
    return { shape: out, params: NO_PARAMS, flops: 0 };
  },
} satisfies OpSpec<"concat">;
