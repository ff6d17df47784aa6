import { arg } from "./arg-schema.js";
import type { OpSpec } from "./op-spec.js";
import { activationFlops, boolAttr, numAttr, only, product, showShape, strAttr } from "./shape-utils.js";

/**
 * `dense(units, activation, use_bias)`: Keras `Dense`, applied to the last axis.
 * Normalised attrs: `{ units: int, activation: string ("linear" when absent), use_bias: bool }`.
 */
export const dense = {
  name: "dense",
  keras: "Dense",
  tensorInputs: "one",
  args: [arg.required("units", { kind: "int", min: 1 }), arg.activation(), arg.useBias()],
  // Row-parallel after a column-parallel dense: the kernel cut by input features, the bias added once.
  sharding: { kind: "column", attr: "units", axis: "units", rows: { kernel: 0, bias: "first" } },
  infer(input) {
    const shape = only(input);
    const last = shape[shape.length - 1];
    if (last === undefined) return { code: "MG2002", args: ["dense", showShape(shape)] };
    const units = numAttr(input.attrs, "units");
    const bias = boolAttr(input.attrs, "use_bias");
    const rows = product(shape) / last;
    const out = [...shape.slice(0, -1), units];
    return {
      shape: out,
      params: { trainable: last * units + (bias ? units : 0), nonTrainable: 0 },
      flops:
        rows * (2 * last * units + (bias ? units : 0)) +
        activationFlops(strAttr(input.attrs, "activation"), product(out)),
    };
  },
} satisfies OpSpec<"dense">;
