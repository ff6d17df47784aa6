import * as tf from "@tensorflow/tfjs";
import { dropoutMask } from "./counter-dropout.js";
import { stepContext } from "./step-context.js";

type Kwargs = Record<string, unknown>;
type Config = tf.serialization.ConfigDict;

/** What `attention(...)` compiles to (compiler/ops/attention.ts), in tfjs's camelCase. */
export interface MultiHeadAttentionArgs {
  readonly name?: string;
  readonly heads: number;
  readonly keyDim: number;
  /** Default: keyDim. */
  readonly valueDim?: number;
  readonly causal?: boolean;
  /** Dropout rate on the attention probabilities, masks keyed as CounterDropout's (default 0). */
  readonly dropout?: number;
  readonly useBias?: boolean;
  /**
   * A head-split shard (Megatron's attention; the runtime's, never serialised): this layer's `heads` are heads
   * `firstHead ..` of `totalHeads`, so dropout keys its masks by the whole layer's head index; the output bias
   * is added by one shard only (`outputBias`), to the partial sums that an all-reduce then adds up.
   */
  readonly shard?: { readonly firstHead: number; readonly totalHeads: number; readonly outputBias: boolean };
}

/** Added to the scores of masked (future) positions before the softmax, as Keras does. */
const MASKED = -1e9;

/**
 * Self-attention with Keras `MultiHeadAttention`'s semantics and weights (names and shapes): query, key and
 * value kernels [d, heads, key_dim] / [d, heads, value_dim] with biases [heads, dim], the output kernel
 * [heads, value_dim, d] and bias [d]. On [batch, T, d] it computes softmax(q·kᵀ / √key_dim [+ causal mask])·v
 * per head and projects the heads back to d. tfjs has no such layer; this one is built from differentiable tfjs
 * ops, so every backend trains it. Dropout on the probabilities keys its mask by (seed, step, layer, global row)
 * like CounterDropout, so N devices drop exactly what one drops.
 */
export class MultiHeadAttention extends tf.layers.Layer {
  static readonly className = "MgpucMultiHeadAttention";
  private readonly args: Required<Omit<MultiHeadAttentionArgs, "name" | "shard">>;
  private readonly shard: MultiHeadAttentionArgs["shard"];
  private weightsByName = new Map<string, tf.LayerVariable>();

  constructor(args: MultiHeadAttentionArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.args = {
      heads: args.heads,
      keyDim: args.keyDim,
      valueDim: args.valueDim ?? args.keyDim,
      causal: args.causal ?? false,
      dropout: args.dropout ?? 0,
      useBias: args.useBias ?? true,
    };
    this.shard = args.shard;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = shape.at(-1)!;
    const { heads: h, keyDim: k, valueDim: v, useBias } = this.args;
    const glorot = tf.initializers.glorotUniform({});
    const zeros = tf.initializers.zeros();
    const add = (name: string, dims: number[], init: ReturnType<typeof tf.initializers.zeros>): void => {
      this.weightsByName.set(name, this.addWeight(name, dims, "float32", init));
    };
    for (const [part, dim] of [
      ["query", k],
      ["key", k],
      ["value", v],
    ] as const) {
      add(`${part}/kernel`, [d, h, dim], glorot);
      if (useBias) add(`${part}/bias`, [h, dim], zeros);
    }
    add("attention_output/kernel", [h, v, d], glorot);
    if (useBias) add("attention_output/bias", [d], zeros);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const training = kwargs["training"] === true;
    return tf.tidy(() => {
      const [b, t, d] = x.shape as [number, number, number];
      const { heads: h, keyDim: k, valueDim: v } = this.args;
      const rows = tf.reshape(x, [b * t, d]);
      // [b·t, d] × [d, h·dim] (+ bias) → [b, h, t, dim].
      const project = (part: string, dim: number): tf.Tensor => {
        let y = tf.matMul(rows, tf.reshape(this.weight(`${part}/kernel`), [d, h * dim]));
        if (this.args.useBias) y = tf.add(y, tf.reshape(this.weight(`${part}/bias`), [h * dim]));
        return tf.transpose(tf.reshape(y, [b, t, h, dim]), [0, 2, 1, 3]);
      };
      // Keras scales the query before the product.
      const q = tf.mul(project("query", k), 1 / Math.sqrt(k));
      let scores = tf.matMul(q, project("key", k), false, true);
      if (this.args.causal) scores = tf.add(scores, causalMask(t));
      let probs = tf.softmax(scores, -1);
      if (training && this.args.dropout > 0) probs = this.drop(probs);
      const heads = tf.matMul(probs, project("value", v));
      const merged = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [b * t, h * v]);
      let out = tf.matMul(merged, tf.reshape(this.weight("attention_output/kernel"), [h * v, d]));
      if (this.args.useBias && (this.shard?.outputBias ?? true))
        out = tf.add(out, this.weight("attention_output/bias"));
      return tf.reshape(out, [b, t, d]);
    });
  }

  /** Inverted dropout on [rows, heads, T, T] probabilities, keyed by global row as CounterDropout is. */
  private drop(probs: tf.Tensor): tf.Tensor {
    const ctx = stepContext();
    const rows = probs.shape[0]!;
    const elements = probs.size / Math.max(rows, 1);
    // A shard's heads are one contiguous block of each row's [heads, T, T] probabilities.
    const perHead = elements / this.args.heads;
    const channels = this.shard && {
      offset: this.shard.firstHead * perHead,
      total: this.shard.totalHeads * perHead,
      width: elements,
    };
    const mask = dropoutMask(
      this.name,
      ctx.seed,
      ctx.step,
      this.args.dropout,
      ctx.shardOffset,
      rows,
      elements,
      channels,
    );
    return tf.mul(probs, tf.tensor(mask, probs.shape, "float32"));
  }

  private weight(name: string): tf.Tensor {
    const w = this.weightsByName.get(name);
    if (w === undefined) throw new Error(`attention layer '${this.name}' has no weight ${name}`);
    return w.read();
  }

  override getConfig(): Config {
    const { heads, keyDim, valueDim, causal, dropout, useBias } = this.args;
    return { ...super.getConfig(), heads, keyDim, valueDim, causal, dropout, useBias };
  }
}

/** [T, T]: 0 where position i may attend to j (j ≤ i), a large negative number after it. */
function causalMask(t: number): tf.Tensor {
  const values = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) values[i * t + j] = MASKED;
  return tf.tensor2d(values, [t, t]);
}

tf.serialization.registerClass(MultiHeadAttention);
