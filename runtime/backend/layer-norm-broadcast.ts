import * as tf from "@tensorflow/tfjs";

/**
 * tfjs-layers' `LayerNormalization` tiles its mean, variance, gamma and beta to the input's full shape before a
 * batch-norm kernel (a workaround in tfjs for broadcasting gradients, tensorflow/tfjs#2120). Tiling a [B, T, 1]
 * mean to [B, T, C] and a [C] gamma to [B, T, C] copies every value, forward and backward, and costs a
 * transformer more than its attention. This patch computes the same normalisation, over the same axes and with
 * the same weights and epsilon, by broadcasting: (x − mean) · rsqrt(variance + ε) · γ + β, whose gradients tfjs
 * reduces by summing. The class, its config and its weights are unchanged, so checkpoints stay stock tfjs.
 */
interface LayerNormLayer {
  readonly axis: number[];
  readonly epsilon: number;
  readonly gamma: { read(): tf.Tensor } | null;
  readonly beta: { read(): tf.Tensor } | null;
}

function layerNormPrototype(): Record<string, unknown> {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap["LayerNormalization"];
  if (entry === undefined) throw new Error("tfjs-layers has no registered class LayerNormalization");
  return (entry[0] as unknown as { prototype: Record<string, unknown> }).prototype;
}

function broadcastCall(this: LayerNormLayer, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  const x = Array.isArray(inputs) ? inputs[0]! : inputs;
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, this.axis, true);
    // gamma and beta have the normalised axes' shape: reshaped to broadcast against x.
    const shape = x.shape.map((d, i) => (this.axis.includes(i) ? d : 1));
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    if (this.gamma !== null) y = tf.mul(y, tf.reshape(this.gamma.read(), shape));
    if (this.beta !== null) y = tf.add(y, tf.reshape(this.beta.read(), shape));
    return y;
  });
}

let patched = false;

/** Patches the class once per thread (workers build their models after initBackend). */
export function patchLayerNormalization(): void {
  if (patched) return;
  patched = true;
  layerNormPrototype()["call"] = broadcastCall;
}
