import type { Graph, IRNode } from "../../ir/graph.js";
import { isOpName, opDefault, type OpName } from "../../ops/index.js";
import { bool, inputShape, num, numbers, pair, samePadding, str, zeroPadding } from "../python/attrs.js";
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

/** What each row of the table writes its code from. */
interface TorchRowInput {
  readonly node: IRNode;
  readonly a: IRNode["attrs"];
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
type TorchRow = ((t: TorchRowInput) => TorchLayerCode) & { readonly needs?: readonly string[] };

/** A row whose code calls the prelude's `needs`. */
function uses(needs: readonly string[], row: (t: TorchRowInput) => TorchLayerCode): TorchRow {
  return Object.assign(row, { needs });
}

function conv(t: TorchRowInput, head: "conv2d" | "depthwise_conv2d", size: string): TorchLayerCode {
  const kernel = pair(t.a, "kernel", [1, 1]);
  const strides = pair(t.a, "strides", [1, 1]);
  const dilation = pair(t.a, "dilation", [1, 1]);
  return t.withModule({
    head,
    args: [
      `${t.channels}`,
      size,
      `kernel=${pyTuple(kernel)}`,
      `strides=${pyTuple(strides)}`,
      `dilation=${pyTuple(dilation)}`,
      `pads=${pyTuple(convPads(t.node, t.shape, kernel, strides, dilation))}`,
      `use_bias=${pyBool(bool(t.a, "use_bias", true))}`,
      `activation=${pyString(activation(t.node))}`,
    ],
  });
}

const pooling = (kind: "max" | "avg"): TorchRow =>
  uses(["Pool2d"], (t) => {
    const pool = pair(t.a, "pool", [2, 2]);
    const strides = pair(t.a, "strides", pool);
    const pads = convPads(t.node, t.shape, pool, strides, [1, 1]);
    return t.withModule({
      head: "Pool2d",
      args: [pyString(kind), pyTuple(pool), pyTuple(strides), `pads=${pyTuple(pads)}`],
    });
  });

/** An elementwise function of the input: `{0}` stands for it. */
const applied =
  (template: string): TorchRow =>
  (t) => ({ forward: template.replace("{0}", t.x) });

/**
 * The torch code of each op, and the prelude pieces it needs; the op names and attrs are those of LANGUAGE.md
 * after `lower`.
 */
const TORCH_LAYERS = {
  dense: uses(["dense"], (t) =>
    t.withModule({
      head: "dense",
      args: [
        `${t.channels}`,
        `${num(t.a, "units")}`,
        `use_bias=${pyBool(bool(t.a, "use_bias", true))}`,
        `activation=${pyString(activation(t.node))}`,
      ],
    }),
  ),
  conv2d: uses(["conv2d"], (t) => conv(t, "conv2d", `${num(t.a, "filters")}`)),
  depthwise_conv2d: uses(["depthwise_conv2d"], (t) =>
    conv(t, "depthwise_conv2d", `multiplier=${num(t.a, "depth_multiplier", 1)}`),
  ),
  maxpool2d: pooling("max"),
  avgpool2d: pooling("avg"),
  global_avg_pool2d: (t) => ({ forward: `${t.x}.mean(dim=(1, 2))` }),
  global_max_pool2d: (t) => ({ forward: `${t.x}.amax(dim=(1, 2))` }),
  zeropad2d: (t) => {
    const [[top, bottom], [left, right]] = zeroPadding(t.a.padding);
    return { forward: `F.pad(${t.x}, ${pyTuple([0, 0, left, right, top, bottom])})` };
  },
  batchnorm: uses(["BatchNorm"], (t) =>
    t.withModule({
      head: "BatchNorm",
      args: [
        `${t.channels}`,
        `momentum=${pyFloat(num(t.a, "momentum", opDefault("batchnorm", "momentum")))}`,
        `epsilon=${pyFloat(num(t.a, "epsilon", opDefault("batchnorm", "epsilon")))}`,
      ],
    }),
  ),
  layernorm: uses(["nn.LayerNorm"], (t) =>
    t.withModule({
      head: "nn.LayerNorm",
      args: [`${t.channels}`, `eps=${pyFloat(num(t.a, "epsilon", opDefault("layernorm", "epsilon")))}`],
    }),
  ),
  dropout: uses(["Dropout"], (t) =>
    t.withModule({ head: "Dropout", args: [pyFloat(num(t.a, "rate", 0)), `layer_index=${t.node.id}`] }),
  ),
  flatten: (t) => ({ forward: `${t.x}.reshape(${t.x}.shape[0], -1)` }),
  reshape: (t) => {
    const target = numbers(t.a.target_shape) ?? numbers(t.a.shape) ?? t.node.outputShape ?? [-1];
    return { forward: `${t.x}.reshape((${t.x}.shape[0],) + ${pyTuple(target)})` };
  },
  relu: applied("F.relu({0})"),
  sigmoid: applied("torch.sigmoid({0})"),
  tanh: applied("torch.tanh({0})"),
  softmax: applied("F.softmax({0}, dim=-1)"),
  gelu: applied("F.gelu({0})"),
  add: (t) => ({ forward: t.args.join(" + ") }),
  multiply: (t) => ({ forward: t.args.join(" * ") }),
  concat: (t) => ({ forward: `torch.cat([${t.args.join(", ")}], dim=${pyNumber(num(t.a, "axis", -1))})` }),
  embedding: uses(["embedding"], (t) =>
    t.withModule({ head: "embedding", args: [`${num(t.a, "input_dim")}`, `${num(t.a, "output_dim")}`] }),
  ),
  attention: uses(["MultiHeadAttention"], (t) =>
    t.withModule({
      head: "MultiHeadAttention",
      args: [
        `${t.channels}`,
        `heads=${num(t.a, "heads")}`,
        `key_dim=${num(t.a, "key_dim")}`,
        `value_dim=${num(t.a, "value_dim")}`,
        `causal=${pyBool(bool(t.a, "causal", false))}`,
        `dropout=${pyFloat(num(t.a, "dropout", opDefault("attention", "dropout")))}`,
        `use_bias=${pyBool(bool(t.a, "use_bias", true))}`,
        `layer_index=${t.node.id}`,
      ],
    }),
  ),
  position_embedding: uses(["PositionEmbedding"], (t) =>
    t.withModule({ head: "PositionEmbedding", args: [`${num(t.a, "max_length")}`, `${t.channels}`] }),
  ),
} satisfies Record<OpName, TorchRow>;

/** The prelude pieces an op's code calls (none for ops written with torch alone). */
export function torchLayerNeeds(op: string): readonly string[] {
  if (!isOpName(op)) throw new Error(`emit torch: no translation for op '${op}'`);
  const row: TorchRow | undefined = TORCH_LAYERS[op];
  if (!row) throw new Error(`emit torch: no translation for op '${op}'`);
  return row.needs ?? [];
}

/** The torch code for one IR node. */
export function torchLayer(node: IRNode, ctx: TorchLayerContext): TorchLayerCode {
  if (!isOpName(node.op)) throw new Error(`emit torch: no translation for op '${node.op}'`);
  const args = node.inputs.map((i) => ctx.ids.get(i) ?? "None");
  const x = args[0] ?? "None";
  const self = `self.${ctx.ids.get(node.id) ?? "layer"}`;
  const shape = inputShape(ctx.graph, node);
  const row: TorchRow = TORCH_LAYERS[node.op];
  return row({
    node,
    a: node.attrs,
    args,
    x,
    shape,
    channels: shape[shape.length - 1] ?? 1,
    withModule: (module) => ({ module, forward: `${self}(${x})` }),
  });
}

function activation(node: IRNode): string {
  return str(node.attrs, "activation", "linear");
}

/** (left, right, top, bottom), torch's F.pad order for the last two axes of NCHW. */
function convPads(
  node: IRNode,
  shape: readonly number[],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilation: readonly [number, number],
): [number, number, number, number] {
  if (str(node.attrs, "padding", "valid") !== "same") return [0, 0, 0, 0];
  const [top, bottom] = samePadding(shape[0] ?? 1, kernel[0], strides[0], dilation[0]);
  const [left, right] = samePadding(shape[1] ?? 1, kernel[1], strides[1], dilation[1]);
  return [left, right, top, bottom];
}
