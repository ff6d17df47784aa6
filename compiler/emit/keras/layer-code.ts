import type { IRNode } from "../../ir/graph.js";
import { attrsOf, isOpName, opDefault, type OpAttrs, type OpName } from "../../ops/index.js";
import { pyBool, pyFloat, pyNumber, pyString, pyTuple } from "../python/literals.js";

export interface KerasCall {
  readonly head: string;
  readonly args: readonly string[];
}

type Pair = readonly [number, number];
/** The ops with a fused activation and a bias; those with a `padding` window. */
type Fused = "dense" | "conv2d" | "depthwise_conv2d";
type Windowed = "conv2d" | "depthwise_conv2d" | "maxpool2d" | "avgpool2d";

/** The option writers each row of the table builds its call with. */
interface KerasContext {
  readonly node: IRNode;
  /** Adds `key=value` unless it is Keras's default. */
  opt(key: string, value: string, isDefault: boolean): void;
  /** A `[h, w]` option as Keras writes it (`3` when square), unless it equals `fallback`. */
  window(keras: string, value: Pair, fallback: Pair): void;
  /** `activation` and `use_bias` of `op`, unless default. */
  common(op: Fused, a: OpAttrs[Fused]): void;
  /** `padding` of `op`, unless default. */
  padding(op: Windowed, a: OpAttrs[Windowed]): void;
  /** A kernel or pool size as Keras writes it: `3` when square. */
  size(value: Pair): string;
  call(layer: string, positional?: string[]): KerasCall;
  /** A layer class the program defines (its prelude piece): `SelfAttention(...)`. */
  own(layer: string, positional?: string[]): KerasCall;
  /** A float argument, written unless it equals `fallback` (the op spec's, Keras's, default). */
  float(key: string, value: number, fallback: number): void;
  /** An option Keras has no default for, always written. */
  push(option: string): void;
}

/**
 * A row: the op's `tf.keras.layers` call from its typed attrs, and the prelude pieces it needs, if any (the
 * classes a layer Keras has no one-input form of is written as: attention, position_embedding).
 */
type KerasRow<N extends OpName> = ((k: KerasContext, a: OpAttrs[N]) => KerasCall) & {
  readonly needs?: readonly string[];
};
type KerasLayers = { readonly [N in OpName]: KerasRow<N> };

/** A row whose call is a class of the program's own (compiler/emit/keras/prelude-layers.ts). */
function needing<N extends OpName>(
  needs: readonly string[],
  row: (k: KerasContext, a: OpAttrs[N]) => KerasCall,
): KerasRow<N> {
  return Object.assign(row, { needs });
}

const pooling =
  (op: "maxpool2d" | "avgpool2d", layer: "MaxPooling2D" | "AveragePooling2D"): KerasRow<typeof op> =>
  (k, a) => {
    // Keras's strides default to the pool size.
    k.window("strides", a.strides, a.pool);
    k.padding(op, a);
    return k.call(layer, [k.size(a.pool)]);
  };

const activationLayer =
  (op: "sigmoid" | "tanh" | "gelu"): KerasRow<typeof op> =>
  (k) =>
    k.call("Activation", [pyString(op)]);

/** The `tf.keras.layers` call of each op, Keras defaults left out. */
const KERAS_LAYERS = {
  dense: (k, a) => {
    k.common("dense", a);
    return k.call("Dense", [pyNumber(a.units)]);
  },
  conv2d: (k, a) => {
    k.window("strides", a.strides, opDefault("conv2d", "strides"));
    k.padding("conv2d", a);
    k.window("dilation_rate", a.dilation, opDefault("conv2d", "dilation"));
    k.common("conv2d", a);
    return k.call("Conv2D", [pyNumber(a.filters), k.size(a.kernel)]);
  },
  depthwise_conv2d: (k, a) => {
    k.window("strides", a.strides, opDefault("depthwise_conv2d", "strides"));
    k.padding("depthwise_conv2d", a);
    const multiplier = a.depth_multiplier;
    k.opt(
      "depth_multiplier",
      pyNumber(multiplier),
      multiplier === opDefault("depthwise_conv2d", "depth_multiplier"),
    );
    k.window("dilation_rate", a.dilation, opDefault("depthwise_conv2d", "dilation"));
    k.common("depthwise_conv2d", a);
    return k.call("DepthwiseConv2D", [k.size(a.kernel)]);
  },
  maxpool2d: pooling("maxpool2d", "MaxPooling2D"),
  avgpool2d: pooling("avgpool2d", "AveragePooling2D"),
  global_avg_pool2d: (k) => k.call("GlobalAveragePooling2D"),
  global_max_pool2d: (k) => k.call("GlobalMaxPooling2D"),
  zeropad2d: (k, a) => {
    const [[t, b], [l, r]] = a.padding;
    return k.call("ZeroPadding2D", [`padding=(${pyTuple([t, b])}, ${pyTuple([l, r])})`]);
  },
  batchnorm: (k, a) => {
    k.float("momentum", a.momentum, opDefault("batchnorm", "momentum"));
    k.float("epsilon", a.epsilon, opDefault("batchnorm", "epsilon"));
    // Statistics over the global batch, not each replica's share (mgpuc's semantics; TF 2.12+).
    k.push("synchronized=True");
    return k.call("BatchNormalization");
  },
  layernorm: (k, a) => {
    k.float("epsilon", a.epsilon, opDefault("layernorm", "epsilon"));
    return k.call("LayerNormalization");
  },
  dropout: (k, a) => k.call("Dropout", [pyFloat(a.rate)]),
  flatten: (k) => k.call("Flatten"),
  reshape: (k, a) => k.call("Reshape", [pyTuple(a.shape)]),
  relu: (k) => k.call("ReLU"),
  softmax: (k) => k.call("Softmax"),
  sigmoid: activationLayer("sigmoid"),
  tanh: activationLayer("tanh"),
  gelu: activationLayer("gelu"),
  add: (k) => k.call("Add"),
  multiply: (k) => k.call("Multiply"),
  concat: (k, a) => {
    k.opt("axis", pyNumber(a.axis), a.axis === opDefault("concat", "axis"));
    return k.call("Concatenate");
  },
  embedding: (k, a) => k.call("Embedding", [pyNumber(a.input_dim), pyNumber(a.output_dim)]),
  attention: needing<"attention">(["SelfAttention"], (k, a) => {
    // SelfAttention's value_dim defaults to key_dim, as Keras's MultiHeadAttention's does.
    k.opt("value_dim", pyNumber(a.value_dim), a.value_dim === a.key_dim);
    k.opt("causal", pyBool(a.causal), a.causal === opDefault("attention", "causal"));
    k.float("dropout", a.dropout, opDefault("attention", "dropout"));
    k.opt("use_bias", pyBool(a.use_bias), a.use_bias === opDefault("attention", "use_bias"));
    return k.own("SelfAttention", [pyNumber(a.heads), pyNumber(a.key_dim)]);
  }),
  position_embedding: needing<"position_embedding">(["PositionEmbedding"], (k, a) =>
    k.own("PositionEmbedding", [pyNumber(a.max_length)]),
  ),
} satisfies KerasLayers;

/** The prelude pieces an op's call needs. */
export function kerasLayerNeeds(op: string): readonly string[] {
  if (!isOpName(op)) throw new Error(`emit keras: no translation for op '${op}'`);
  const row = KERAS_LAYERS[op];
  return ("needs" in row ? row.needs : undefined) ?? [];
}

/**
 * A `tf.keras.layers` constructor call for one IR node, Keras defaults left out so it reads like hand-written
 * Keras (`Conv2D(32, 3, activation="relu")`). `name` is the layer's Keras name, already made valid and unique.
 */
export function kerasLayer(node: IRNode, name: string): KerasCall {
  if (!isOpName(node.op)) throw new Error(`emit keras: no translation for op '${node.op}'`);
  return callFor(node.op, node, name);
}

function callFor<N extends OpName>(op: N, node: IRNode, name: string): KerasCall {
  const opts: string[] = [];
  const k: KerasContext = {
    node,
    opt(key, value, isDefault) {
      if (!isDefault) opts.push(`${key}=${value}`);
    },
    window(keras, [h, w], fallback) {
      k.opt(keras, h === w ? pyNumber(h) : pyTuple([h, w]), h === fallback[0] && w === fallback[1]);
    },
    common(op, a) {
      k.opt("activation", pyString(a.activation), a.activation === opDefault(op, "activation"));
      k.opt("use_bias", pyBool(a.use_bias), a.use_bias === opDefault(op, "use_bias"));
    },
    padding(op, a) {
      k.opt("padding", pyString(a.padding), a.padding === opDefault(op, "padding"));
    },
    size([h, w]) {
      return h === w ? pyNumber(h) : pyTuple([h, w]);
    },
    call(layer, positional = []) {
      return { head: `tf.keras.layers.${layer}`, args: [...positional, ...opts, `name=${pyString(name)}`] };
    },
    own(layer, positional = []) {
      return { head: layer, args: [...positional, ...opts, `name=${pyString(name)}`] };
    },
    float(key, value, fallback) {
      k.opt(key, pyFloat(value), value === fallback);
    },
    push(option) {
      opts.push(option);
    },
  };
  const row: KerasLayers[N] = KERAS_LAYERS[op];
  return row(k, attrsOf(node, op));
}
