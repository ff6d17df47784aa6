import * as tf from "@tensorflow/tfjs";
import {
  attrsOf,
  isOpName,
  opDefault,
  type OpAttrs,
  type OpName,
  type Padding2d,
  type WithAttrs,
} from "../../compiler/ops/index.js";
import { MultiHeadAttention, PositionEmbedding } from "../layers/index.js";
import type { MultiHeadAttentionArgs } from "../layers/multi-head-attention.js";

/**
 * A row of the table: the op's typed attrs (`compiler/ops`' `attrsOf`: checked, defaults filled) and the layer's
 * name → the tfjs layer.
 */
type LayerFactory<N extends OpName> = (a: OpAttrs[N], name: string) => tf.layers.Layer;
type TfjsLayers = { readonly [N in OpName]: LayerFactory<N> };

/** tfjs wants mutable tuples; attrs are read-only. */
const hw = (p: readonly [number, number]): [number, number] => [p[0], p[1]];
const padding2d = ([[t, b], [l, r]]: Padding2d): [[number, number], [number, number]] => [
  [t, b],
  [l, r],
];

function attentionArgs(a: OpAttrs["attention"], name: string): MultiHeadAttentionArgs {
  return {
    name,
    heads: a.heads,
    keyDim: a.key_dim,
    valueDim: a.value_dim,
    causal: a.causal,
    dropout: a.dropout,
    useBias: a.use_bias,
  };
}

/**
 * One device's shard of an attention node split by heads (runtime/plan-exec): the node's `heads` are the
 * shard's, `shard` places them among the whole layer's.
 */
export function attentionShardForNode(
  node: WithAttrs,
  name: string,
  shard: NonNullable<MultiHeadAttentionArgs["shard"]>,
): tf.layers.Layer {
  return new MultiHeadAttention({ ...attentionArgs(attrsOf(node, "attention"), name), shard });
}

function pooling(kind: "max" | "avg"): LayerFactory<"maxpool2d" | "avgpool2d"> {
  return (a, name) => {
    const config = { name, poolSize: hw(a.pool), strides: hw(a.strides), padding: a.padding };
    return kind === "max" ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config);
  };
}

const activationLayer =
  (op: "sigmoid" | "tanh" | "gelu"): LayerFactory<typeof op> =>
  (_, name) =>
    tf.layers.activation({ name, activation: op });

/**
 * The Keras-equivalent tfjs layer of each op (LANGUAGE.md's table; attrs as `lower` normalises them, documented
 * in `compiler/ops/*.ts`). Initialisers are left at tfjs's Keras defaults; `initializeWeights` then overwrites
 * every weight deterministically.
 */
const TFJS_LAYERS = {
  dense: (a, name) =>
    tf.layers.dense({ name, units: a.units, activation: a.activation, useBias: a.use_bias }),
  conv2d: (a, name) =>
    tf.layers.conv2d({
      name,
      filters: a.filters,
      kernelSize: hw(a.kernel),
      strides: hw(a.strides),
      padding: a.padding,
      dilationRate: hw(a.dilation),
      activation: a.activation,
      useBias: a.use_bias,
    }),
  depthwise_conv2d: (a, name) =>
    tf.layers.depthwiseConv2d({
      name,
      kernelSize: hw(a.kernel),
      strides: hw(a.strides),
      padding: a.padding,
      depthMultiplier: a.depth_multiplier,
      dilationRate: hw(a.dilation),
      activation: a.activation,
      useBias: a.use_bias,
    }),
  maxpool2d: pooling("max"),
  avgpool2d: pooling("avg"),
  global_avg_pool2d: (_, name) => tf.layers.globalAveragePooling2d({ name }),
  global_max_pool2d: (_, name) => tf.layers.globalMaxPooling2d({ name }),
  zeropad2d: (a, name) => tf.layers.zeroPadding2d({ name, padding: padding2d(a.padding) }),
  batchnorm: (a, name) => tf.layers.batchNormalization({ name, momentum: a.momentum, epsilon: a.epsilon }),
  layernorm: (a, name) => tf.layers.layerNormalization({ name, epsilon: a.epsilon }),
  dropout: (a, name) => tf.layers.dropout({ name, rate: a.rate }),
  flatten: (_, name) => tf.layers.flatten({ name }),
  reshape: (a, name) => tf.layers.reshape({ name, targetShape: [...a.shape] }),
  relu: (_, name) => tf.layers.reLU({ name }),
  softmax: (_, name) => tf.layers.softmax({ name }),
  sigmoid: activationLayer("sigmoid"),
  tanh: activationLayer("tanh"),
  gelu: activationLayer("gelu"),
  add: (_, name) => tf.layers.add({ name }),
  multiply: (_, name) => tf.layers.multiply({ name }),
  concat: (a, name) => tf.layers.concatenate({ name, axis: a.axis }),
  embedding: (a, name) => tf.layers.embedding({ name, inputDim: a.input_dim, outputDim: a.output_dim }),
  attention: (a, name) => new MultiHeadAttention(attentionArgs(a, name)),
  position_embedding: (a, name) => new PositionEmbedding({ name, maxLength: a.max_length }),
} satisfies TfjsLayers;

function build<N extends OpName>(op: N, layer: WithAttrs, name: string): tf.layers.Layer {
  const factory: TfjsLayers[N] = TFJS_LAYERS[op];
  return factory(attrsOf(layer, op), name);
}

/** The tfjs layer for one IR node (or a plan's layer: only its op, name and attrs are read), named `name`. */
export function layerForNode(node: WithAttrs, name: string): tf.layers.Layer {
  if (!isOpName(node.op)) throw new TypeError(`no tfjs layer for op '${node.op}' (IR node '${node.name}')`);
  return build(node.op, node, name);
}

/** Keras's defaults, where tfjs's differ or are absent, come from the op table too. */
export const _defaults = opDefault;
