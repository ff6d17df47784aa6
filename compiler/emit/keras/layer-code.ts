import type { IRNode } from "../../ir/graph.js";
import { isOpName, opDefault, type OpName } from "../../ops/index.js";
import { bool, num, numbers, pair, str, zeroPadding } from "../python/attrs.js";
import { pyBool, pyFloat, pyNumber, pyString, pyTuple } from "../python/literals.js";

export interface KerasCall {
  readonly head: string;
  readonly args: readonly string[];
}

/** What each row of the table builds a call with: the node's attrs and the option writers. */
interface KerasContext {
  readonly node: IRNode;
  readonly a: IRNode["attrs"];
  /** Adds `key=value` unless it is Keras's default. */
  opt(key: string, value: string, isDefault: boolean): void;
  /** A `[h, w]` attr as Keras writes it (`3` when square), unless it equals `fallback`. */
  window(key: string, keras: string, fallback: [number, number]): void;
  /** `activation` and `use_bias`, unless default. */
  common(): void;
  padding(): void;
  kernel(): string;
  call(layer: string, positional?: string[]): KerasCall;
  /** A layer class the program defines (its prelude piece): `SelfAttention(...)`. */
  own(layer: string, positional?: string[]): KerasCall;
  /** A float argument of `op`, written unless it equals the op spec's (Keras's) default. */
  keras(key: string, op: OpName): void;
  /** An option Keras has no default for, always written. */
  push(option: string): void;
}

/**
 * A row: the op's `tf.keras.layers` call, and the prelude pieces it needs, if any (the classes a layer Keras
 * has no one-input form of is written as: attention, position_embedding).
 */
type KerasRow = ((k: KerasContext) => KerasCall) & { readonly needs?: readonly string[] };

/** A row whose call is a class of the program's own (compiler/emit/keras/prelude-layers.ts). */
function needing(needs: readonly string[], row: (k: KerasContext) => KerasCall): KerasRow {
  return Object.assign(row, { needs });
}

const pooling =
  (layer: "MaxPooling2D" | "AveragePooling2D"): KerasRow =>
  (k) => {
    const [ph, pw] = pair(k.a, "pool", [2, 2]);
    k.window("strides", "strides", [ph, pw]);
    k.padding();
    return k.call(layer, [ph === pw ? pyNumber(ph) : pyTuple([ph, pw])]);
  };

const activationLayer =
  (op: "sigmoid" | "tanh" | "gelu"): KerasRow =>
  (k) =>
    k.call("Activation", [pyString(op)]);

/** The `tf.keras.layers` call of each op, Keras defaults left out. */
const KERAS_LAYERS = {
  dense: (k) => {
    k.common();
    return k.call("Dense", [pyNumber(num(k.a, "units"))]);
  },
  conv2d: (k) => {
    k.window("strides", "strides", [1, 1]);
    k.padding();
    k.window("dilation", "dilation_rate", [1, 1]);
    k.common();
    return k.call("Conv2D", [pyNumber(num(k.a, "filters")), k.kernel()]);
  },
  depthwise_conv2d: (k) => {
    k.window("strides", "strides", [1, 1]);
    k.padding();
    const multiplier = num(k.a, "depth_multiplier", 1);
    k.opt("depth_multiplier", pyNumber(multiplier), multiplier === 1);
    k.window("dilation", "dilation_rate", [1, 1]);
    k.common();
    return k.call("DepthwiseConv2D", [k.kernel()]);
  },
  maxpool2d: pooling("MaxPooling2D"),
  avgpool2d: pooling("AveragePooling2D"),
  global_avg_pool2d: (k) => k.call("GlobalAveragePooling2D"),
  global_max_pool2d: (k) => k.call("GlobalMaxPooling2D"),
  zeropad2d: (k) => {
    const [[t, b], [l, r]] = zeroPadding(k.a.padding);
    return k.call("ZeroPadding2D", [`padding=(${pyTuple([t, b])}, ${pyTuple([l, r])})`]);
  },
  batchnorm: (k) => {
    k.keras("momentum", "batchnorm");
    k.keras("epsilon", "batchnorm");
    // Statistics over the global batch, not each replica's share (mgpuc's semantics; TF 2.12+).
    k.push("synchronized=True");
    return k.call("BatchNormalization");
  },
  layernorm: (k) => {
    k.keras("epsilon", "layernorm");
    return k.call("LayerNormalization");
  },
  dropout: (k) => k.call("Dropout", [pyFloat(num(k.a, "rate", 0))]),
  flatten: (k) => k.call("Flatten"),
  reshape: (k) =>
    k.call("Reshape", [
      pyTuple(numbers(k.a.target_shape) ?? numbers(k.a.shape) ?? k.node.outputShape ?? [-1]),
    ]),
  relu: (k) => k.call("ReLU"),
  softmax: (k) => k.call("Softmax"),
  sigmoid: activationLayer("sigmoid"),
  tanh: activationLayer("tanh"),
  gelu: activationLayer("gelu"),
  add: (k) => k.call("Add"),
  multiply: (k) => k.call("Multiply"),
  concat: (k) => {
    k.opt("axis", pyNumber(num(k.a, "axis", -1)), num(k.a, "axis", -1) === -1);
    return k.call("Concatenate");
  },
  embedding: (k) => k.call("Embedding", [pyNumber(num(k.a, "input_dim")), pyNumber(num(k.a, "output_dim"))]),
  attention: needing(["SelfAttention"], (k) => {
    const keyDim = num(k.a, "key_dim");
    const valueDim = num(k.a, "value_dim", keyDim);
    k.opt("value_dim", pyNumber(valueDim), valueDim === keyDim);
    k.opt("causal", pyBool(bool(k.a, "causal", false)), !bool(k.a, "causal", false));
    k.keras("dropout", "attention");
    k.opt("use_bias", pyBool(bool(k.a, "use_bias", true)), bool(k.a, "use_bias", true));
    return k.own("SelfAttention", [pyNumber(num(k.a, "heads")), pyNumber(keyDim)]);
  }),
  position_embedding: needing(["PositionEmbedding"], (k) =>
    k.own("PositionEmbedding", [pyNumber(num(k.a, "max_length"))]),
  ),
} satisfies Record<OpName, KerasRow>;

/** The prelude pieces an op's call needs. */
export function kerasLayerNeeds(op: string): readonly string[] {
  if (!isOpName(op)) throw new Error(`emit keras: no translation for op '${op}'`);
  const row: KerasRow | undefined = KERAS_LAYERS[op];
  if (!row) throw new Error(`emit keras: no translation for op '${op}'`);
  return row.needs ?? [];
}

/**
 * A `tf.keras.layers` constructor call for one IR node, Keras defaults left out so it reads like hand-written
 * Keras (`Conv2D(32, 3, activation="relu")`). `name` is the layer's Keras name, already made valid and unique.
 */
export function kerasLayer(node: IRNode, name: string): KerasCall {
  if (!isOpName(node.op)) throw new Error(`emit keras: no translation for op '${node.op}'`);
  const a = node.attrs;
  const opts: string[] = [];
  const k: KerasContext = {
    node,
    a,
    opt(key, value, isDefault) {
      if (!isDefault) opts.push(`${key}=${value}`);
    },
    window(key, keras, fallback) {
      const [h, w] = pair(a, key, fallback);
      k.opt(keras, h === w ? pyNumber(h) : pyTuple([h, w]), h === fallback[0] && w === fallback[1]);
    },
    common() {
      const act = str(a, "activation", "linear");
      k.opt("activation", pyString(act), act === "linear");
      k.opt("use_bias", pyBool(bool(a, "use_bias", true)), bool(a, "use_bias", true));
    },
    padding() {
      k.opt("padding", pyString(str(a, "padding", "valid")), str(a, "padding", "valid") === "valid");
    },
    kernel() {
      const [h, w] = pair(a, "kernel", [1, 1]);
      return h === w ? pyNumber(h) : pyTuple([h, w]);
    },
    call(layer, positional = []) {
      return { head: `tf.keras.layers.${layer}`, args: [...positional, ...opts, `name=${pyString(name)}`] };
    },
    own(layer, positional = []) {
      return { head: layer, args: [...positional, ...opts, `name=${pyString(name)}`] };
    },
    keras(key, op) {
      const fallback = opDefault(op, key);
      const value = num(a, key, fallback);
      k.opt(key, pyFloat(value), value === fallback);
    },
    push(option) {
      opts.push(option);
    },
  };
  const row: KerasRow = KERAS_LAYERS[node.op];
  return row(k);
}
