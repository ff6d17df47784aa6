import * as tf from "@tensorflow/tfjs";
import type { IRNode } from "../../compiler/ir/graph.js";
import {
  ACTIVATIONS as ACTIVATION_NAMES,
  isOpName,
  opDefault,
  type OpName,
} from "../../compiler/ops/index.js";
import { MultiHeadAttention, PositionEmbedding } from "../layers/index.js";
import type { MultiHeadAttentionArgs } from "../layers/multi-head-attention.js";
import { AttrReader } from "./attrs.js";

type Activation = NonNullable<Parameters<typeof tf.layers.dense>[0]["activation"]>;
type Padding = "valid" | "same";

const ACTIVATIONS: ReadonlySet<string> = new Set(ACTIVATION_NAMES);

function activation(a: AttrReader): Activation {
  const name = a.string("activation", "linear");
  if (!ACTIVATIONS.has(name)) throw new TypeError(`unknown activation '${name}'`);
  return name as Activation;
}

function padding(a: AttrReader): Padding {
  const value = a.string("padding", "valid");
  if (value !== "valid" && value !== "same") throw new TypeError(`unknown padding '${value}'`);
  return value;
}

type LayerFactory = (a: AttrReader, name: string) => tf.layers.Layer;

function attentionArgs(a: AttrReader, name: string): MultiHeadAttentionArgs {
  return {
    name,
    heads: a.number("heads"),
    keyDim: a.number("key_dim"),
    valueDim: a.number("value_dim"),
    causal: a.bool("causal", false),
    dropout: a.number("dropout", opDefault("attention", "dropout")),
    useBias: a.bool("use_bias", true),
  };
}

/**
 * One device's shard of an attention node split by heads (runtime/plan-exec): the node's `heads` are the
 * shard's, `shard` places them among the whole layer's.
 */
export function attentionShardForNode(
  node: IRNode,
  name: string,
  shard: NonNullable<MultiHeadAttentionArgs["shard"]>,
): tf.layers.Layer {
  return new MultiHeadAttention({ ...attentionArgs(new AttrReader(node), name), shard });
}

function pooling(kind: "max" | "avg"): LayerFactory {
  return (a, name) => {
    const pool = a.pair("pool", [2, 2]);
    const config = { name, poolSize: pool, strides: a.pair("strides", pool), padding: padding(a) };
    return kind === "max" ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config);
  };
}

const activationLayer =
  (op: "sigmoid" | "tanh" | "gelu"): LayerFactory =>
  (_, name) =>
    tf.layers.activation({ name, activation: op });

/**
 * The Keras-equivalent tfjs layer of each op (LANGUAGE.md's table; attrs as `lower` normalises them, defaults
 * filled, documented in `compiler/ops/*.ts`). Initialisers are left at tfjs's Keras defaults;
 * `initializeWeights` then overwrites every weight deterministically.
 */
const TFJS_LAYERS = {
  dense: (a, name) =>
    tf.layers.dense({
      name,
      units: a.number("units"),
      activation: activation(a),
      useBias: a.bool("use_bias", true),
    }),
  conv2d: (a, name) =>
    tf.layers.conv2d({
      name,
      filters: a.number("filters"),
      kernelSize: a.pair("kernel"),
      strides: a.pair("strides", [1, 1]),
      padding: padding(a),
      dilationRate: a.pair("dilation", [1, 1]),
      activation: activation(a),
      useBias: a.bool("use_bias", true),
    }),
  depthwise_conv2d: (a, name) =>
    tf.layers.depthwiseConv2d({
      name,
      kernelSize: a.pair("kernel"),
      strides: a.pair("strides", [1, 1]),
      padding: padding(a),
      depthMultiplier: a.number("depth_multiplier", 1),
      dilationRate: a.pair("dilation", [1, 1]),
      activation: activation(a),
      useBias: a.bool("use_bias", true),
    }),
  maxpool2d: pooling("max"),
  avgpool2d: pooling("avg"),
  global_avg_pool2d: (_, name) => tf.layers.globalAveragePooling2d({ name }),
  global_max_pool2d: (_, name) => tf.layers.globalMaxPooling2d({ name }),
  zeropad2d: (a, name) => tf.layers.zeroPadding2d({ name, padding: a.padding2d("padding") }),
  batchnorm: (a, name) =>
    tf.layers.batchNormalization({
      name,
      momentum: a.number("momentum", opDefault("batchnorm", "momentum")),
      epsilon: a.number("epsilon", opDefault("batchnorm", "epsilon")),
    }),
  layernorm: (a, name) =>
    tf.layers.layerNormalization({ name, epsilon: a.number("epsilon", opDefault("layernorm", "epsilon")) }),
  dropout: (a, name) => tf.layers.dropout({ name, rate: a.number("rate") }),
  flatten: (_, name) => tf.layers.flatten({ name }),
  reshape: (a, name) => tf.layers.reshape({ name, targetShape: a.numbers("shape") }),
  relu: (_, name) => tf.layers.reLU({ name }),
  softmax: (_, name) => tf.layers.softmax({ name }),
  sigmoid: activationLayer("sigmoid"),
  tanh: activationLayer("tanh"),
  gelu: activationLayer("gelu"),
  add: (_, name) => tf.layers.add({ name }),
  multiply: (_, name) => tf.layers.multiply({ name }),
  concat: (a, name) => tf.layers.concatenate({ name, axis: a.number("axis", -1) }),
  embedding: (a, name) =>
    tf.layers.embedding({ name, inputDim: a.number("input_dim"), outputDim: a.number("output_dim") }),
  attention: (a, name) => new MultiHeadAttention(attentionArgs(a, name)),
  position_embedding: (a, name) => new PositionEmbedding({ name, maxLength: a.number("max_length") }),
} satisfies Record<OpName, LayerFactory>;

/** The tfjs layer for one IR node, named `name`. */
export function layerForNode(node: IRNode, name: string): tf.layers.Layer {
  if (!isOpName(node.op)) throw new TypeError(`no tfjs layer for op '${node.op}' (IR node '${node.name}')`);
  const factory: LayerFactory = TFJS_LAYERS[node.op];
  return factory(new AttrReader(node), name);
}
