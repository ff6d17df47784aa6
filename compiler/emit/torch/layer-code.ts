import type { Graph, IRNode } from "../../ir/graph.js";
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

const SIMPLE_ACTIVATIONS: Readonly<Record<string, string>> = {
  relu: "F.relu({0})",
  relu6: "F.relu6({0})",
  sigmoid: "torch.sigmoid({0})",
  tanh: "torch.tanh({0})",
  softmax: "F.softmax({0}, dim=-1)",
  gelu: "F.gelu({0})",
  linear: "{0}",
};

/** The torch code for one IR node; the op names and attrs are those of LANGUAGE.md after `lower`. */
export function torchLayer(node: IRNode, ctx: TorchLayerContext): TorchLayerCode {
  const args = node.inputs.map((i) => ctx.ids.get(i) ?? "None");
  const x = args[0] ?? "None";
  const self = `self.${ctx.ids.get(node.id) ?? "layer"}`;
  const shape = inputShape(ctx.graph, node);
  const channels = shape[shape.length - 1] ?? 1;
  const a = node.attrs;
  const withModule = (module: ModuleCall): TorchLayerCode => ({ module, forward: `${self}(${x})` });
  switch (node.op) {
    case "dense":
      return withModule({
        head: "dense",
        args: [
          `${channels}`,
          `${num(a, "units")}`,
          `use_bias=${pyBool(bool(a, "use_bias", true))}`,
          `activation=${pyString(activation(node))}`,
        ],
      });
    case "conv2d":
    case "depthwise_conv2d": {
      const kernel = pair(a, "kernel", [1, 1]);
      const strides = pair(a, "strides", [1, 1]);
      const dilation = pair(a, "dilation", [1, 1]);
      const size =
        node.op === "conv2d" ? `${num(a, "filters")}` : `multiplier=${num(a, "depth_multiplier", 1)}`;
      const args = [
        `${channels}`,
        size,
        `kernel=${pyTuple(kernel)}`,
        `strides=${pyTuple(strides)}`,
        `dilation=${pyTuple(dilation)}`,
        `pads=${pyTuple(convPads(node, shape, kernel, strides, dilation))}`,
        `use_bias=${pyBool(bool(a, "use_bias", true))}`,
        `activation=${pyString(activation(node))}`,
      ];
      return withModule({ head: node.op, args });
    }
    case "maxpool2d":
    case "avgpool2d": {
      const pool = pair(a, "pool", [2, 2]);
      const strides = pair(a, "strides", pool);
      const pads = convPads(node, shape, pool, strides, [1, 1]);
      const kind = node.op === "maxpool2d" ? "max" : "avg";
      return withModule({
        head: "Pool2d",
        args: [pyString(kind), pyTuple(pool), pyTuple(strides), `pads=${pyTuple(pads)}`],
      });
    }
    case "global_avg_pool2d":
      return { forward: `${x}.mean(dim=(1, 2))` };
    case "global_max_pool2d":
      return { forward: `${x}.amax(dim=(1, 2))` };
    case "zeropad2d": {
      const [[top, bottom], [left, right]] = zeroPadding(a.padding);
      return { forward: `F.pad(${x}, ${pyTuple([0, 0, left, right, top, bottom])})` };
    }
    case "batchnorm":
      return withModule({
        head: "BatchNorm",
        args: [
          `${channels}`,
          `momentum=${pyFloat(num(a, "momentum", 0.99))}`,
          `epsilon=${pyFloat(num(a, "epsilon", 0.001))}`,
        ],
      });
    case "layernorm":
      return withModule({
        head: "nn.LayerNorm",
        args: [`${channels}`, `eps=${pyFloat(num(a, "epsilon", 0.001))}`],
      });
    case "dropout":
      return withModule({ head: "Dropout", args: [pyFloat(num(a, "rate", 0)), `layer_index=${node.id}`] });
    case "flatten":
      return { forward: `${x}.reshape(${x}.shape[0], -1)` };
    case "reshape": {
      const target = numbers(a.target_shape) ?? numbers(a.shape) ?? node.outputShape ?? [-1];
      return { forward: `${x}.reshape((${x}.shape[0],) + ${pyTuple(target)})` };
    }
    case "relu":
    case "relu6":
    case "sigmoid":
    case "tanh":
    case "softmax":
    case "gelu":
      return { forward: (SIMPLE_ACTIVATIONS[node.op] ?? "{0}").replace("{0}", x) };
    case "add":
      return { forward: args.join(" + ") };
    case "multiply":
      return { forward: args.join(" * ") };
    case "concat":
      return { forward: `torch.cat([${args.join(", ")}], dim=${pyNumber(num(a, "axis", -1))})` };
    case "embedding":
      return withModule({ head: "embedding", args: [`${num(a, "input_dim")}`, `${num(a, "output_dim")}`] });
    default:
      throw new Error(`emit torch: no translation for op '${node.op}'`);
  }
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
