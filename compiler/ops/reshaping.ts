import { arg } from "./arg-schema.js";
import { REPLICATED, type OpSpec } from "./op-spec.js";
import { NO_PARAMS, only, product, showShape } from "./shape-utils.js";

/** `flatten`: Keras `Flatten`, everything but the batch axis into one. No attrs. */
export const flatten = {
  name: "flatten",
  keras: "Flatten",
  tensorInputs: "one",
  args: [] as const,
  sharding: REPLICATED,
  keepsDtype: true,
  infer: (input) => ({ shape: [product(only(input))], params: NO_PARAMS, flops: 0 }),
} satisfies OpSpec<"flatten">;

/**
 * `reshape(shape)`: Keras `Reshape`; one entry may be -1 (inferred).
 * Normalised attrs: `{ shape: int[] }`, as written (a -1 is resolved by infer-shapes, in the output shape).
 */
export const reshape = {
  name: "reshape",
  keras: "Reshape",
  tensorInputs: "one",
  args: [arg.required("shape", { kind: "shape", allowInfer: true })],
  sharding: REPLICATED,
  keepsDtype: true,
  infer(input) {
    const from = only(input);
    const target = input.attrs["shape"] as readonly number[];
    const have = product(from);
    const known = product(target.filter((d) => d !== -1));
    if (target.includes(-1)) {
      if (have % known !== 0) return { code: "MG2009", args: [showShape(target), have] };
      return { shape: target.map((d) => (d === -1 ? have / known : d)), params: NO_PARAMS, flops: 0 };
    }
    if (known !== have) {
      return {
        code: "MG2008",
        args: [showShape(target), known, showShape(from), have],
        hint: `use a target with ${have} elements, or -1 for one axis`,
      };
    }
    return { shape: target, params: NO_PARAMS, flops: 0 };
  },
} satisfies OpSpec<"reshape">;
