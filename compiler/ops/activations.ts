import { CHANNELWISE, REPLICATED, type OpSpec } from "./op-spec.js";
import { NO_PARAMS, activationFlops, only, product } from "./shape-utils.js";

/** `relu`, `sigmoid`, `tanh`, `softmax`, `gelu`: Keras activation layers (softmax over the last axis). No attrs. */
function activationLayer<N extends string>(name: N): OpSpec<N, readonly []> {
  return {
    name,
    keras: name === "relu" ? "ReLU" : "Activation",
    tensorInputs: "one",
    args: [],
    // Softmax normalises across the last axis, so it cannot follow a split of that axis for free.
    sharding: name === "softmax" ? REPLICATED : CHANNELWISE,
    infer(input) {
      const shape = only(input);
      return { shape, params: NO_PARAMS, flops: activationFlops(name, product(shape)) };
    },
  };
}

export const relu = activationLayer("relu");
export const sigmoid = activationLayer("sigmoid");
export const tanh = activationLayer("tanh");
export const softmax = activationLayer("softmax");
export const gelu = activationLayer("gelu");
