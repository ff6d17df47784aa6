import * as tf from "@tensorflow/tfjs";
import type { IRNode } from "../../compiler/ir/graph.js";
import { AttrReader } from "./attrs.js";

type Activation = NonNullable<Parameters<typeof tf.layers.dense>[0]["activation"]>;
type Padding = "valid" | "same";

const ACTIVATIONS = new Set(["relu", "relu6", "sigmoid", "tanh", "softmax", "gelu", "linear"]);

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

/**
 * The Keras-equivalent tfjs layer for one IR node (LANGUAGE.md's table; attrs as `lower` normalises them,
 * documented in `compiler/ops/*.ts`). Initialisers are left at tfjs's Keras defaults; `initializeWeights`
 * then overwrites every weight deterministically.
 */
export function layerForNode(node: IRNode, name: string): tf.layers.Layer {
  const a = new AttrReader(node);
  switch (node.op) {
    case "dense":
      return tf.layers.dense({
        name,
        units: a.number("units"),
        activation: activation(a),
        useBias: a.bool("use_bias", true),
      });
    case "conv2d":
      return tf.layers.conv2d({
        name,
        filters: a.number("filters"),
        kernelSize: a.pair("kernel"),
        strides: a.pair("strides", [1, 1]),
        padding: padding(a),
        dilationRate: a.pair("dilation", [1, 1]),
        activation: activation(a),
        useBias: a.bool("use_bias", true),
      });
    case "depthwise_conv2d":
      return tf.layers.depthwiseConv2d({
        name,
        kernelSize: a.pair("kernel"),
        strides: a.pair("strides", [1, 1]),
        padding: padding(a),
        depthMultiplier: a.number("depth_multiplier", 1),
        dilationRate: a.pair("dilation", [1, 1]),
        activation: activation(a),
        useBias: a.bool("use_bias", true),
      });
    case "maxpool2d":
    case "avgpool2d": {
      const pool = a.pair("pool", [2, 2]);
      const config = { name, poolSize: pool, strides: a.pair("strides", pool), padding: padding(a) };
      return node.op === "maxpool2d" ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config);
    }
    case "global_avg_pool2d":
      return tf.layers.globalAveragePooling2d({ name });
    case "global_max_pool2d":
      return tf.layers.globalMaxPooling2d({ name });
    case "zeropad2d":
      return tf.layers.zeroPadding2d({ name, padding: a.padding2d("padding") });
    case "batchnorm":
      return tf.layers.batchNormalization({
        name,
        momentum: a.number("momentum", 0.99),
        epsilon: a.number("epsilon", 0.001),
      });
    case "layernorm":
      return tf.layers.layerNormalization({ name, epsilon: a.number("epsilon", 0.001) });
    case "dropout":
      return tf.layers.dropout({ name, rate: a.number("rate") });
    case "flatten":
      return tf.layers.flatten({ name });
    case "reshape":
      return tf.layers.reshape({ name, targetShape: a.numbers("shape") });
    case "relu":
      return tf.layers.reLU({ name });
    case "softmax":
      return tf.layers.softmax({ name });
    case "sigmoid":
    case "tanh":
    case "gelu":
      return tf.layers.activation({ name, activation: node.op });
    case "add":
      return tf.layers.add({ name });
    case "multiply":
      return tf.layers.multiply({ name });
    case "concat":
      return tf.layers.concatenate({ name, axis: a.number("axis", -1) });
    case "embedding":
      return tf.layers.embedding({
        name,
        inputDim: a.number("input_dim"),
        outputDim: a.number("output_dim"),
      });
    default:
      throw new TypeError(`no tfjs layer for op '${node.op}' (IR node '${node.name}')`);
  }
}
