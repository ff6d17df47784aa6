import type { AttrValue, Attrs, IRNode } from "../../ir/graph.js";
import { isOpName, opDefault, type OpName } from "../../ops/index.js";
import type { LiteralValue } from "./literals.js";

// The runtime's own mapping, shared rather than copied: seeded initial weights are keyed by weight name, so
// the emitted program and `mgpuc train` start from the same weights only if their layer names agree.
export { tfjsLayerName } from "../../ir/tfjs-layer-names.js";

/** One IR node as a tfjs layer: `tf.layers.<factory>({ name, ...config })`, or `new <Class>(...)` for a layer the package provides. */
export interface LayerCall {
  readonly factory: string;
  /** What the config literal is passed to: `tf.layers.dense`, `new MultiHeadAttention`. */
  readonly make: string;
  /** The class the program imports from "mgpuc" for a layer tfjs lacks (attention, position embedding). */
  readonly packageClass?: string;
  readonly config: Readonly<Record<string, LiteralValue>>;
  /** Arguments left out because they equal tfjs's default: a block helper may still need them as values. */
  readonly omitted: Readonly<Record<string, LiteralValue>>;
  /** Every argument name, written or omitted, in the order a person would write them. */
  readonly keys: readonly string[];
}

/** An argument written only when it differs from tfjs's default. */
class Optional {
  constructor(
    readonly value: LiteralValue,
    readonly fallback: LiteralValue,
  ) {}
}

type CallOf = (a: Attrs) => LayerCall;

const pooling =
  (factory: "maxPooling2d" | "averagePooling2d"): CallOf =>
  (a) =>
    call(factory, { poolSize: pair(a.pool), ...windowArgs(a, a.pool) });

/**
 * Keras-equivalent tfjs arguments for each op. Arguments equal to tfjs's own defaults (which are Keras's) are
 * left out so the program reads like hand-written tfjs; `[3, 3]` pairs are written `3`. Keras's `ReLU` and
 * `Softmax` layers, as the runtime builds them; the other activations are `Activation` layers.
 */
const TFJS_CALLS = {
  dense: (a) => call("dense", { units: a.units, ...activation(a), ...useBias(a) }),
  conv2d: (a) =>
    call("conv2d", {
      filters: a.filters,
      kernelSize: pair(a.kernel),
      ...windowArgs(a, [1, 1]),
      ...unless("dilationRate", pair(a.dilation), 1),
      ...activation(a),
      ...useBias(a),
    }),
  depthwise_conv2d: (a) =>
    call("depthwiseConv2d", {
      kernelSize: pair(a.kernel),
      ...windowArgs(a, [1, 1]),
      ...unless("depthMultiplier", a.depth_multiplier, 1),
      ...unless("dilationRate", pair(a.dilation), 1),
      ...activation(a),
      ...useBias(a),
    }),
  maxpool2d: pooling("maxPooling2d"),
  avgpool2d: pooling("averagePooling2d"),
  global_avg_pool2d: () => call("globalAveragePooling2d", {}),
  global_max_pool2d: () => call("globalMaxPooling2d", {}),
  zeropad2d: (a) => call("zeroPadding2d", { padding: a.padding }),
  batchnorm: (a) =>
    call("batchNormalization", {
      ...unless("momentum", a.momentum, opDefault("batchnorm", "momentum")),
      ...unless("epsilon", a.epsilon, opDefault("batchnorm", "epsilon")),
    }),
  layernorm: (a) =>
    call("layerNormalization", unless("epsilon", a.epsilon, opDefault("layernorm", "epsilon"))),
  dropout: (a) => call("dropout", { rate: a.rate }),
  flatten: () => call("flatten", {}),
  reshape: (a) => call("reshape", { targetShape: a.shape ?? a.target_shape ?? null }),
  relu: () => call("reLU", {}),
  softmax: () => call("softmax", {}),
  sigmoid: () => call("activation", { activation: "sigmoid" }),
  tanh: () => call("activation", { activation: "tanh" }),
  gelu: () => call("activation", { activation: "gelu" }),
  add: () => call("add", {}),
  multiply: () => call("multiply", {}),
  concat: (a) => call("concatenate", unless("axis", a.axis, -1)),
  embedding: (a) => call("embedding", { inputDim: a.input_dim, outputDim: a.output_dim }),
  attention: (a) =>
    packageLayer("MultiHeadAttention", {
      heads: a.heads,
      keyDim: a.key_dim,
      ...unless("valueDim", a.value_dim, a.key_dim ?? null),
      ...unless("causal", a.causal, false),
      ...unless("dropout", a.dropout, opDefault("attention", "dropout")),
      ...useBias(a),
    }),
  position_embedding: (a) => packageLayer("PositionEmbedding", { maxLength: a.max_length }),
} satisfies Record<OpName, CallOf>;

/** One IR node's tfjs layer call. */
export function layerCall(node: IRNode): LayerCall {
  // The op table rejects anything else before emitting.
  if (!isOpName(node.op)) throw new Error(`emit ts: no tfjs layer for op '${node.op}'`);
  const callOf: CallOf = TFJS_CALLS[node.op];
  return callOf(node.attrs);
}

function call(factory: string, config: Record<string, LiteralValue | Optional | undefined>): LayerCall {
  const kept: Record<string, LiteralValue> = {};
  const omitted: Record<string, LiteralValue> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (!(value instanceof Optional)) kept[key] = value;
    else if (sameValue(value.value, value.fallback)) omitted[key] = value.value;
    else kept[key] = value.value;
  }
  return {
    factory,
    make: `tf.layers.${factory}`,
    config: kept,
    omitted,
    keys: Object.keys(config).filter((key) => config[key] !== undefined),
  };
}

/** A layer tfjs lacks, from the package's runtime (registered there for `tf.loadLayersModel`). */
function packageLayer(
  className: string,
  config: Record<string, LiteralValue | Optional | undefined>,
): LayerCall {
  return { ...call(className, config), make: `new ${className}`, packageClass: className };
}

/** `[3, 3]` reads as `3` in tfjs, as in Keras; `[3, 1]` stays a pair. */
function pair(value: AttrValue | undefined): LiteralValue | undefined {
  if (Array.isArray(value) && value.length === 2 && value[0] === value[1]) return value[0] as LiteralValue;
  return value;
}

function sameValue(a: LiteralValue | undefined, b: LiteralValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function unless(key: string, value: LiteralValue | undefined, fallback: LiteralValue) {
  return { [key]: new Optional(value ?? fallback, fallback) };
}

function windowArgs(a: Attrs, defaultStrides: AttrValue | undefined) {
  return {
    ...unless("strides", pair(a.strides), pair(defaultStrides) ?? 1),
    ...unless("padding", a.padding, "valid"),
  };
}

function activation(a: Attrs) {
  return unless("activation", a.activation, "linear");
}

function useBias(a: Attrs) {
  return unless("useBias", a.use_bias, true);
}
