import * as tf from "@tensorflow/tfjs";
import { stepContext } from "./step-context.js";

function reduceTensor(t: tf.Tensor): tf.Tensor {
  const { collective } = stepContext();
  if (collective.size === 1) return tf.clone(t);
  const data = Float32Array.from(t.dataSync());
  collective.allReduceSum(data);
  return tf.tensor(data, t.shape, "float32");
}

/**
 * Sum over replicas as a differentiable op: if every replica uses s = Σ_r x_r, the total loss's gradient for
 * x_r is the sum over replicas of their upstream gradients, i.e. the same all-reduce applied to dy.
 */
const reduceWithGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: reduceTensor(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => reduceTensor(dy),
}));

export function allReduceSumOp(x: tf.Tensor): tf.Tensor {
  return reduceWithGrad(x);
}
