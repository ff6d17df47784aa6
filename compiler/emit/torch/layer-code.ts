import type { Graph, IRNode } from "../../ir/graph.js";
import { attrsOf, isOpName, type OpAttrs, type OpName } from "../../ops/index.js";
import { inputShape, samePadding } from "../python/shapes.js";
import { pyBool, pyFloat, pyNumber, pyString, pyTuple } from "../python/literals.js";

/** A module constructor call, `head(args...)`, for `Model.__init__`. */
export interface ModuleCall {
  readonly head: string;
  readonly args: readonly string[];
}

/** One layer in the generated `Model`: its module (built in `__init__`), if it has one, and its forward call. */
export interface TorchLayerCode {
  readonly module?: ModuleCall;
  /** A Python expression of the inputs' variables (and `self.<name>` for the module). */
  readonly forward: string;
}

export interface TorchLayerContext {
  readonly graph: Graph;
  /** Python identifiers of nodes, by id: the forward variable and the module attribute. */
  readonly ids: ReadonlyMap<number, string>;
}

/** What each row of the table writes its code from: the node, its typed attrs (`attrsOf`), its inputs. */
interface TorchRowInput<N extends OpName> {
  readonly node: IRNode;
  readonly a: OpAttrs[N];
  /** The inputs' Python variables, in argument order; `x` the first. */
  readonly args: readonly string[];
  readonly x: string;
  /** The input's per-sample shape and its last axis. */
  readonly shape: readonly number[];
  readonly channels: number;
  /** A layer with a module: built in `__init__`, called on `x` in `forward`. */
  withModule(module: ModuleCall): TorchLayerCode;
}

/** A row: the op's code, and the prelude pieces (compiler/emit/torch/prelude.ts) that code calls, if any. */
type TorchRow<N extends OpName> = ((t: TorchRowInput<N>) => TorchLayerCode) & {
  readonly needs?: readonly string[];
};
type TorchLayers = { readonly [N in OpName]: TorchRow<N> };

/** A row whose code calls the prelude's `needs`. */
function uses<N extends OpName>(
  needs: readonly string[],
  row: (t: TorchRowInput<N>) => TorchLayerCode,
): TorchRow<N> {
  return Object.assign(row, { needs });
}

function conv(
  t: TorchRowInput<"conv2d" | "depthwise_conv2d">,
  head: "conv2d" | "depthwise_conv2d",
  size: string,
): TorchLayerCode {
  const { kernel, strides, dilation } = t.a;
  return t.withModule({
    head,
    args: [
      `${t.channels}`,
      size,
      `kernel=${pyTuple(kernel)}`,
      `strides=${pyTuple(strides)}`,
      `dilation=${pyTuple(dilation)}`,
      `pads=${pyTuple(convPads(t.a.padding, t.shape, kernel, strides, dilation))}`,
      `use_bias=${pyBool(t.a.use_bias)}`,
      `activation=${pyString(t.a.activation)}`,
    ],
  });
}

const pooling = (kind: "max" | "avg"): TorchRow<"maxpool2d" | "avgpool2d"> =>
  uses<"maxpool2d" | "avgpool2d">(["Pool2d"], (t) => {
    const { pool, strides } = t.a;
    const pads = convPads(t.a.padding, t.shape, pool, strides, [1, 1]);
    return t.withModule({
      head: "Pool2d",
      args: [pyString(kind), pyTuple(pool), pyTuple(strides), `pads=${pyTuple(pads)}`],
    });
  });

/** An elementwise function of the input: `{0}` stands for it. */
const applied =
  (template: string): TorchRow<"relu" | "sigmoid" | "tanh" | "softmax" | "gelu"> =>
  (t) => ({ forward: template.replace("{0}", t.x) });

/**
 * The torch code of each op, and the prelude pieces it needs; the op names and attrs are those of LANGUAGE.md
 * after `lower`.
 */
const TORCH_LAYERS = {
  dense: uses<"dense">(["dense"], (t) =>
    t.withModule({
      head: "dense",
      args: [
        `${t.channels}`,
        `${t.a.units}`,
        `use_bias=${pyBool(t.a.use_bias)}`,
        `activation=${pyString(t.a.activation)}`,
      ],
    }),
  ),
  conv2d: uses<"conv2d">(["conv2d"], (t) => conv(t, "conv2d", `${t.a.filters}`)),
  depthwise_conv2d: uses<"depthwise_conv2d">(["depthwise_conv2d"], (t) =>
    conv(t, "depthwise_conv2d", `multiplier=${t.a.depth_multiplier}`),
  ),
  maxpool2d: pooling("max"),
  avgpool2d: pooling("avg"),
  global_avg_pool2d: (t) => ({ forward: `${t.x}.mean(dim=(1, 2))` }),
  global_max_pool2d: (t) => ({ forward: `${t.x}.amax(dim=(1, 2))` }),
  zeropad2d: (t) => {
    const [[top, bottom], [left, right]] = t.a.padding;
    return { forward: `F.pad(${t.x}, ${pyTuple([0, 0, left, right, top, bottom])})` };
  },
  batchnorm: uses<"batchnorm">(["BatchNorm"], (t) =>
    t.withModule({
      head: "BatchNorm",
      args: [`${t.channels}`, `momentum=${pyFloat(t.a.momentum)}`, `epsilon=${pyFloat(t.a.epsilon)}`],
    }),
  ),
  layernorm: uses<"layernorm">(["nn.LayerNorm"], (t) =>
    t.withModule({ head: "nn.LayerNorm", args: [`${t.channels}`, `eps=${pyFloat(t.a.epsilon)}`] }),
  ),
  dropout: uses<"dropout">(["Dropout"], (t) =>
    t.withModule({ head: "Dropout", args: [pyFloat(t.a.rate), `layer_index=${t.node.id}`] }),
  ),
  flatten: (t) => ({ forward: `${t.x}.reshape(${t.x}.shape[0], -1)` }),
  reshape: (t) => ({ forward: `${t.x}.reshape((${t.x}.shape[0],) + ${pyTuple(t.a.shape)})` }),
  relu: applied("F.relu({0})"),
  sigmoid: applied("torch.sigmoid({0})"),
  tanh: applied("torch.tanh({0})"),
  softmax: applied("F.softmax({0}, dim=-1)"),
  gelu: applied("F.gelu({0})"),
  add: (t) => ({ forward: t.args.join(" + ") }),
  multiply: (t) => ({ forward: t.args.join(" * ") }),
  concat: (t) => ({ forward: `torch.cat([${t.args.join(", ")}], dim=${pyNumber(t.a.axis)})` }),
  embedding: uses<"embedding">(["embedding"], (t) =>
    t.withModule({ head: "embedding", args: [`${t.a.input_dim}`, `${t.a.output_dim}`] }),
  ),
  attention: uses<"attention">(["MultiHeadAttention"], (t) =>
    t.withModule({
      head: "MultiHeadAttention",
      args: [
        `${t.channels}`,
        `heads=${t.a.heads}`,
        `key_dim=${t.a.key_dim}`,
        `value_dim=${t.a.value_dim}`,
        `causal=${pyBool(t.a.causal)}`,
        `dropout=${pyFloat(t.a.dropout)}`,
        `use_bias=${pyBool(t.a.use_bias)}`,
        `layer_index=${t.node.id}`,
      ],
    }),
  ),
  position_embedding: uses<"position_embedding">(["PositionEmbedding"], (t) =>
    t.withModule({ head: "PositionEmbedding", args: [`${t.a.max_length}`, `${t.channels}`] }),
  ),
} satisfies TorchLayers;

/** The prelude pieces an op's code calls (none for ops written with torch alone). */
export function torchLayerNeeds(op: string): readonly string[] {
  if (!isOpName(op)) throw new Error(`emit torch: no translation for op '${op}'`);
  const row = TORCH_LAYERS[op];
  return ("needs" in row ? row.needs : undefined) ?? [];
}

/** The torch code for one IR node. */
export function torchLayer(node: IRNode, ctx: TorchLayerContext): TorchLayerCode {
  if (!isOpName(node.op)) throw new Error(`emit torch: no translation for op '${node.op}'`);
  const args = node.inputs.map((i) => ctx.ids.get(i) ?? "None");
  const x = args[0] ?? "None";
  const self = `self.${ctx.ids.get(node.id) ?? "layer"}`;
  const shape = inputShape(ctx.graph, node);
  return codeFor(node.op, {
    node,
    args,
    x,
    shape,
    channels: shape[shape.length - 1] ?? 1,
    withModule: (module) => ({ module, forward: `${self}(${x})` }),
  });
}

/** Row `op` of the table, given the node's typed attrs. */
function codeFor<N extends OpName>(op: N, input: Omit<TorchRowInput<N>, "a">): TorchLayerCode {
  const row: TorchLayers[N] = TORCH_LAYERS[op];
  return row({ ...input, a: attrsOf(input.node, op) });
}

/** (left, right, top, bottom), torch's F.pad order for the last two axes of NCHW. */
function convPads(
  padding: "valid" | "same",
  shape: readonly number[],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilation: readonly [number, number],
): [number, number, number, number] {
  if (padding !== "same") return [0, 0, 0, 0];
  const [top, bottom] = samePadding(shape[0] ?? 1, kernel[0], strides[0], dilation[0]);
  const [left, right] = samePadding(shape[1] ?? 1, kernel[1], strides[1], dilation[1]);
  return [left, right, top, bottom];
}
