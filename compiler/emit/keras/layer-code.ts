import type { IRNode } from "../../ir/graph.js";
import { bool, num, numbers, pair, str, zeroPadding } from "../python/attrs.js";
import { pyBool, pyFloat, pyNumber, pyString, pyTuple } from "../python/literals.js";

export interface KerasCall {
  readonly head: string;
  readonly args: readonly string[];
}

/**
 * A `tf.keras.layers` constructor call for one IR node, Keras defaults left out so it reads like hand-written
 * Keras (`Conv2D(32, 3, activation="relu")`). `name` is the layer's Keras name, already made valid and unique.
 */
export function kerasLayer(node: IRNode, name: string): KerasCall {
  const a = node.attrs;
  const opts: string[] = [];
  const opt = (key: string, value: string, isDefault: boolean) => {
    if (!isDefault) opts.push(`${key}=${value}`);
  };
  const window = (key: string, keras: string, fallback: [number, number]) => {
    const [h, w] = pair(a, key, fallback);
    opt(keras, h === w ? pyNumber(h) : pyTuple([h, w]), h === fallback[0] && w === fallback[1]);
  };
  const common = () => {
    opt("activation", pyString(str(a, "activation", "linear")), str(a, "activation", "linear") === "linear");
    opt("use_bias", pyBool(bool(a, "use_bias", true)), bool(a, "use_bias", true));
  };
  const call = (layer: string, positional: string[] = []): KerasCall => ({
    head: `tf.keras.layers.${layer}`,
    args: [...positional, ...opts, `name=${pyString(name)}`],
  });
  const kernel = () => {
    const [h, w] = pair(a, "kernel", [1, 1]);
    return h === w ? pyNumber(h) : pyTuple([h, w]);
  };
  const padding = () =>
    opt("padding", pyString(str(a, "padding", "valid")), str(a, "padding", "valid") === "valid");
  switch (node.op) {
    case "dense":
      common();
      return call("Dense", [pyNumber(num(a, "units"))]);
    case "conv2d":
      window("strides", "strides", [1, 1]);
      padding();
      window("dilation", "dilation_rate", [1, 1]);
      common();
      return call("Conv2D", [pyNumber(num(a, "filters")), kernel()]);
    case "depthwise_conv2d":
      window("strides", "strides", [1, 1]);
      padding();
      opt("depth_multiplier", pyNumber(num(a, "depth_multiplier", 1)), num(a, "depth_multiplier", 1) === 1);
      window("dilation", "dilation_rate", [1, 1]);
      common();
      return call("DepthwiseConv2D", [kernel()]);
    case "maxpool2d":
    case "avgpool2d": {
      const [ph, pw] = pair(a, "pool", [2, 2]);
      window("strides", "strides", [ph, pw]);
      padding();
      return call(node.op === "maxpool2d" ? "MaxPooling2D" : "AveragePooling2D", [
        ph === pw ? pyNumber(ph) : pyTuple([ph, pw]),
      ]);
    }
    case "global_avg_pool2d":
      return call("GlobalAveragePooling2D");
    case "global_max_pool2d":
      return call("GlobalMaxPooling2D");
    case "zeropad2d": {
      const [[t, b], [l, r]] = zeroPadding(a.padding);
      return call("ZeroPadding2D", [`padding=(${pyTuple([t, b])}, ${pyTuple([l, r])})`]);
    }
    case "batchnorm":
      opt("momentum", pyFloat(num(a, "momentum", 0.99)), num(a, "momentum", 0.99) === 0.99);
      opt("epsilon", pyFloat(num(a, "epsilon", 0.001)), num(a, "epsilon", 0.001) === 0.001);
      // Statistics over the global batch, not each replica's share (mgpuc's semantics; TF 2.12+).
      opts.push("synchronized=True");
      return call("BatchNormalization");
    case "layernorm":
      opt("epsilon", pyFloat(num(a, "epsilon", 0.001)), num(a, "epsilon", 0.001) === 0.001);
      return call("LayerNormalization");
    case "dropout":
      return call("Dropout", [pyFloat(num(a, "rate", 0))]);
    case "flatten":
      return call("Flatten");
    case "reshape":
      return call("Reshape", [
        pyTuple(numbers(a.target_shape) ?? numbers(a.shape) ?? node.outputShape ?? [-1]),
      ]);
    case "relu":
      return call("ReLU");
    case "relu6":
      return call("ReLU", ["max_value=6.0"]);
    case "softmax":
      return call("Softmax");
    case "sigmoid":
    case "tanh":
    case "gelu":
      return call("Activation", [pyString(node.op)]);
    case "add":
      return call("Add");
    case "multiply":
      return call("Multiply");
    case "concat":
      opt("axis", pyNumber(num(a, "axis", -1)), num(a, "axis", -1) === -1);
      return call("Concatenate");
    case "embedding":
      return call("Embedding", [pyNumber(num(a, "input_dim")), pyNumber(num(a, "output_dim"))]);
    default:
      throw new Error(`emit keras: no translation for op '${node.op}'`);
  }
}
