import type { IRNode } from "../../ir/graph.js";
import { attrsOf, isOpName, opDefault, type OpAttrs, type OpName } from "../../ops/index.js";
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

/** A row: the op's typed attrs (`attrsOf`: defaults filled) → its tfjs layer call. */
type CallOf<N extends OpName> = (a: OpAttrs[N]) => LayerCall;
type TfjsCalls = { readonly [N in OpName]: CallOf<N> };

type Pair = readonly [number, number];
/** The ops with a fused activation and a bias; those with a `padding` window. */
type Fused = "dense" | "conv2d" | "depthwise_conv2d";
type Windowed = "conv2d" | "depthwise_conv2d" | "maxpool2d" | "avgpool2d";

const pooling =
  (op: "maxpool2d" | "avgpool2d", factory: "maxPooling2d" | "averagePooling2d"): CallOf<typeof op> =>
  (a) =>
    // Strides default to the pool size (tfjs's and Keras's).
    call(factory, { poolSize: pair(a.pool), ...windowArgs(op, a, a.pool) });

/**
 * Keras-equivalent tfjs arguments for each op. Arguments equal to tfjs's own defaults (which are Keras's, read
 * from the op spec) are left out so the program reads like hand-written tfjs; `[3, 3]` pairs are written `3`.
 * Keras's `ReLU` and `Softmax` layers, as the runtime builds them; the other activations are `Activation` layers.
 */
const TFJS_CALLS = {
  dense: (a) => call("dense", { units: a.units, ...fused("dense", a) }),
  conv2d: (a) =>
    call("conv2d", {
      filters: a.filters,
      kernelSize: pair(a.kernel),
      ...windowArgs("conv2d", a, opDefault("conv2d", "strides")),
      ...unless("dilationRate", pair(a.dilation), pair(opDefault("conv2d", "dilation"))),
      ...fused("conv2d", a),
    }),
  depthwise_conv2d: (a) =>
    call("depthwiseConv2d", {
      kernelSize: pair(a.kernel),
      ...windowArgs("depthwise_conv2d", a, opDefault("depthwise_conv2d", "strides")),
      ...unless("depthMultiplier", a.depth_multiplier, opDefault("depthwise_conv2d", "depth_multiplier")),
      ...unless("dilationRate", pair(a.dilation), pair(opDefault("depthwise_conv2d", "dilation"))),
      ...fused("depthwise_conv2d", a),
    }),
  maxpool2d: pooling("maxpool2d", "maxPooling2d"),
  avgpool2d: pooling("avgpool2d", "averagePooling2d"),
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
  reshape: (a) => call("reshape", { targetShape: a.shape }),
  relu: () => call("reLU", {}),
  softmax: () => call("softmax", {}),
  sigmoid: () => call("activation", { activation: "sigmoid" }),
  tanh: () => call("activation", { activation: "tanh" }),
  gelu: () => call("activation", { activation: "gelu" }),
  add: () => call("add", {}),
  multiply: () => call("multiply", {}),
  concat: (a) => call("concatenate", unless("axis", a.axis, opDefault("concat", "axis"))),
  embedding: (a) => call("embedding", { inputDim: a.input_dim, outputDim: a.output_dim }),
  attention: (a) =>
    packageLayer("MultiHeadAttention", {
      heads: a.heads,
      keyDim: a.key_dim,
      // The layer's valueDim defaults to keyDim, as Keras's MultiHeadAttention's does.
      ...unless("valueDim", a.value_dim, a.key_dim),
      ...unless("causal", a.causal, opDefault("attention", "causal")),
      ...unless("dropout", a.dropout, opDefault("attention", "dropout")),
      ...unless("useBias", a.use_bias, opDefault("attention", "use_bias")),
    }),
  position_embedding: (a) => packageLayer("PositionEmbedding", { maxLength: a.max_length }),
} satisfies TfjsCalls;

/** One IR node's tfjs layer call. */
export function layerCall(node: IRNode): LayerCall {
  // The op table rejects anything else before emitting.
  if (!isOpName(node.op)) throw new Error(`emit ts: no tfjs layer for op '${node.op}'`);
  return callFor(node.op, node);
}

function callFor<N extends OpName>(op: N, node: IRNode): LayerCall {
  const callOf: TfjsCalls[N] = TFJS_CALLS[op];
  return callOf(attrsOf(node, op));
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
function pair(value: Pair): LiteralValue {
  return value[0] === value[1] ? value[0] : value;
}

function sameValue(a: LiteralValue | undefined, b: LiteralValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function unless(key: string, value: LiteralValue, fallback: LiteralValue) {
  return { [key]: new Optional(value, fallback) };
}

/** `strides` (unless `defaultStrides`) and `padding` (unless the op's default). */
function windowArgs(op: Windowed, a: OpAttrs[Windowed], defaultStrides: Pair) {
  return {
    ...unless("strides", pair(a.strides), pair(defaultStrides)),
    ...unless("padding", a.padding, opDefault(op, "padding")),
  };
}

/** `activation` and `useBias`, unless the op's defaults. */
function fused(op: Fused, a: OpAttrs[Fused]) {
  return {
    ...unless("activation", a.activation, opDefault(op, "activation")),
    ...unless("useBias", a.use_bias, opDefault(op, "use_bias")),
  };
}
