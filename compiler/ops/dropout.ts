import { arg } from "./arg-schema.js";
import { CHANNELWISE, type OpSpec } from "./op-spec.js";
import { NO_PARAMS, only, product } from "./shape-utils.js";

/** `dropout(rate)`: Keras `Dropout`, rate in [0, 1). Normalised attrs: `{ rate: number }`. */
export const dropout = {
  name: "dropout",
  keras: "Dropout",
  tensorInputs: "one",
  args: [arg.required("rate", { kind: "float", min: 0, max: 1, maxExclusive: true })],
  sharding: CHANNELWISE,
  keepsDtype: true,
  infer(input) {
    const shape = only(input);
    return { shape, params: NO_PARAMS, flops: product(shape) };
  },
} satisfies OpSpec<"dropout">;
