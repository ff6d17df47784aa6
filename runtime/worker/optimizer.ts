import * as tf from "@tensorflow/tfjs";
import type { Optimizer } from "../../compiler/ir/config.js";

/** The tfjs optimizer for a `train` section's optimizer, with its hyper-parameters. */
export function makeOptimizer(config: Optimizer): tf.Optimizer {
  switch (config.kind) {
    case "sgd":
      return config.momentum > 0
        ? tf.train.momentum(config.lr, config.momentum, config.nesterov)
        : tf.train.sgd(config.lr);
    case "adam":
      return tf.train.adam(config.lr, config.beta1, config.beta2, config.epsilon);
    case "rmsprop":
      return tf.train.rmsprop(config.lr, config.rho, 0, config.epsilon);
    case "adagrad":
      return tf.train.adagrad(config.lr, config.initialAccumulator);
  }
}

/** An array with a name and shape: how optimizer state travels and is checkpointed. */
export interface NamedArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * The optimizer's state with variable names replaced by the weight's index (`w3/m`), since tfjs variable names
 * differ between threads and runs; the index is stable for a given topology.
 */
export async function exportOptimizerState(
  optimizer: tf.Optimizer,
  varNames: readonly string[],
): Promise<NamedArray[]> {
  const index = new Map(varNames.map((name, i) => [name, i]));
  const out: NamedArray[] = [];
  for (const { name, tensor } of await optimizer.getWeights()) {
    const slash = name.lastIndexOf("/");
    const owner = slash < 0 ? undefined : index.get(name.slice(0, slash));
    const portable = owner === undefined ? name : `w${owner}${name.slice(slash)}`;
    out.push({ name: portable, shape: tensor.shape, data: Float32Array.from(await tensor.data()) });
  }
  return out;
}

export async function importOptimizerState(
  optimizer: tf.Optimizer,
  varNames: readonly string[],
  state: readonly NamedArray[],
): Promise<void> {
  if (state.length === 0) return;
  const named = state.map(({ name, shape, data }) => {
    const m = /^w(\d+)(\/.*)$/.exec(name);
    const real = m === null ? name : `${varNames[Number(m[1])] ?? name}${m[2]}`;
    return { name: real, tensor: tf.tensor(data, [...shape], "float32") };
  });
  await optimizer.setWeights(named);
  // setWeights makes variables of its own from these.
  tf.dispose(named.map((n) => n.tensor));
}
