import { arg } from "./arg-schema.js";
import { REPLICATED, type InferInput, type OpSpec, type ShapeError } from "./op-spec.js";
import { boolAttr, numAttr, only, showShape } from "./shape-utils.js";

/** The per-sample `[positions, features]` a sequence layer reads, or MG2022. */
function sequenceShape(op: string, input: InferInput): { t: number; d: number } | ShapeError {
  const shape = only(input);
  if (shape.length !== 2) return { code: "MG2022", args: [op, showShape(shape)] };
  return { t: shape[0]!, d: shape[1]! };
}

/** An attr the user may leave out, whose default infer computes. */
function optionalNum(input: InferInput, name: string): number | undefined {
  const v = input.attrs[name];
  return typeof v === "number" ? v : undefined;
}

/**
 * `attention(heads, key_dim = width ÷ heads, value_dim = key_dim, causal=false, dropout=0, use_bias=true)`:
 * self-attention, Keras `MultiHeadAttention(num_heads=heads, key_dim, value_dim, dropout, use_bias)(x, x,
 * use_causal_mask=causal)` on `[T, d]`, output `[T, d]`. Weights (Keras's order and names): query, key and value
 * kernels `[d, h, k]` / `[d, h, v]` with biases `[h, k]` / `[h, v]`, the output kernel `[h, v, d]` and bias `[d]`.
 * Normalised attrs: `{ heads: int, key_dim: int, value_dim: int, causal: bool, dropout: number, use_bias: bool }`
 * (`key_dim` and `value_dim` filled by infer when left out).
 */
export const attention = {
  name: "attention",
  keras: "MultiHeadAttention",
  tensorInputs: "one",
  args: [
    arg.required("heads", { kind: "int", min: 1 }),
    arg.defaultFromShape("key_dim", { kind: "int", min: 1 }, "width ÷ heads"),
    arg.defaultFromShape("value_dim", { kind: "int", min: 1 }, "key_dim"),
    arg.optional("causal", { kind: "bool" }, false),
    arg.optional("dropout", { kind: "float", min: 0, max: 1, maxExclusive: true }, 0),
    arg.useBias(),
  ],
  // Whole heads per device: Q/K/V kernels [d, h, k] and biases [h, k] cut on the heads axis, the output
  // kernel [h, v, d] on its first; the output bias added once, to the partial sums.
  sharding: {
    kind: "heads",
    attr: "heads",
    cuts: {
      "query/kernel": 1,
      "query/bias": 0,
      "key/kernel": 1,
      "key/bias": 0,
      "value/kernel": 1,
      "value/bias": 0,
      "attention_output/kernel": 0,
      "attention_output/bias": "first",
    },
  },
  infer(input) {
    const seq = sequenceShape("attention", input);
    if ("code" in seq) return seq;
    const { t, d } = seq;
    const h = numAttr(input.attrs, "heads");
    let k = optionalNum(input, "key_dim");
    if (k === undefined) {
      if (d % h !== 0) {
        const fix = Math.max(1, Math.floor(d / h));
        return {
          code: "MG2023",
          args: [h, d],
          hint: `give key_dim (for example key_dim: ${fix}), or a number of heads that divides ${d}`,
        };
      }
      k = d / h;
    }
    const v = optionalNum(input, "value_dim") ?? k;
    const bias = boolAttr(input.attrs, "use_bias");
    const weights = 2 * d * h * k + d * h * v + h * v * d;
    const biases = bias ? 2 * h * k + h * v + d : 0;
    // Per sample: the four projections, the T×T scores (q·k) and the weighted values, softmax's exp, sum and
    // divide per score, and the biases.
    const flops = 2 * t * weights + 2 * t * t * h * k + 2 * t * t * h * v + 3 * t * t * h + t * biases;
    return {
      shape: [t, d],
      params: { trainable: weights + biases, nonTrainable: 0 },
      flops,
      attrs: { key_dim: k, value_dim: v },
      // q, k and v; the scores and the probabilities, [heads, T, T] each; the heads' values; the output.
      saved: t * (2 * h * k + h * v) + 2 * h * t * t + t * h * v + t * d,
    };
  },
} satisfies OpSpec<"attention">;

/**
 * `position_embedding(max_length)`: learned position vectors shaped like its `[T, d]` input (keras_hub
 * `PositionEmbedding(sequence_length=max_length)`: the first T of max_length rows), max_length·d weights; the
 * model adds them itself (`add(x, p)`). Normalised attrs: `{ max_length: int }`.
 */
export const positionEmbedding = {
  name: "position_embedding",
  keras: "PositionEmbedding",
  tensorInputs: "one",
  args: [arg.required("max_length", { kind: "int", min: 1 })],
  sharding: REPLICATED,
  infer(input) {
    const seq = sequenceShape("position_embedding", input);
    if ("code" in seq) return seq;
    const { t, d } = seq;
    const length = numAttr(input.attrs, "max_length");
    if (length < t) return { code: "MG2024", args: [length, t], hint: `use max_length: ${t} or more` };
    return { shape: [t, d], params: { trainable: length * d, nonTrainable: 0 }, flops: 0 };
  },
} satisfies OpSpec<"position_embedding">;
