import { arg } from "./arg-schema.js";
import { CHANNELWISE, REPLICATED, type OpSpec } from "./op-spec.js";
import { only, product, showShape } from "./shape-utils.js";

/**
 * `batchnorm(momentum=0.99, epsilon=0.001)`: Keras `BatchNormalization` over the last axis: gamma and beta are
 * trainable, the moving mean and variance are not (4·C, 2·C non-trainable).
 * Normalised attrs: `{ momentum: number, epsilon: number }`.
 */
export const batchnorm = {
  name: "batchnorm",
  keras: "BatchNormalization",
  tensorInputs: "one",
  args: [
    arg.optional("momentum", { kind: "float", min: 0, max: 1 }, 0.99),
    arg.optional("epsilon", { kind: "float", min: 0, minExclusive: true }, 0.001),
  ],
  sharding: CHANNELWISE,
  wholeBatch: true,
  infer(input) {
    const shape = only(input);
    const c = shape[shape.length - 1];
    if (c === undefined) return { code: "MG2002", args: ["batchnorm", showShape(shape)] };
    return { shape, params: { trainable: 2 * c, nonTrainable: 2 * c }, flops: 2 * product(shape) };
  },
} satisfies OpSpec<"batchnorm">;

/**
 * `layernorm(epsilon=0.001)`: Keras `LayerNormalization` over the last axis (gamma, beta: 2·C).
 * Normalised attrs: `{ epsilon: number }`.
 */
export const layernorm = {
  name: "layernorm",
  keras: "LayerNormalization",
  tensorInputs: "one",
  args: [arg.optional("epsilon", { kind: "float", min: 0, minExclusive: true }, 0.001)],
  sharding: REPLICATED,
  infer(input) {
    const shape = only(input);
    const c = shape[shape.length - 1];
    if (c === undefined) return { code: "MG2002", args: ["layernorm", showShape(shape)] };
    return { shape, params: { trainable: 2 * c, nonTrainable: 0 }, flops: 8 * product(shape) };
  },
} satisfies OpSpec<"layernorm">;
