import { arg } from "./arg-schema.js";
import { REPLICATED, type InferInput, type InferResult, type OpSpec, type ShapeError } from "./op-spec.js";
import {
  activationFlops,
  boolAttr,
  effectiveWindow,
  numAttr,
  only,
  pairAttr,
  product,
  showShape,
  spatialRankError,
  strAttr,
  windowOutput,
} from "./shape-utils.js";

const PADDING = { kind: "enum", values: ["valid", "same"] } as const;

/**
 * `conv2d(filters, kernel, strides=1, padding=valid, dilation=1, activation, use_bias=true)`: Keras `Conv2D`.
 * Normalised attrs: `{ filters: int, kernel: [h, w], strides: [h, w], padding: "valid" | "same",
 * dilation: [h, w], activation: string, use_bias: bool }`.
 */
export const conv2d = {
  name: "conv2d",
  keras: "Conv2D",
  tensorInputs: "one",
  args: [
    arg.required("filters", { kind: "int", min: 1 }),
    arg.required("kernel", { kind: "pair", min: 1 }),
    arg.optional("strides", { kind: "pair", min: 1 }, [1, 1]),
    arg.optional("padding", PADDING, "valid"),
    arg.optional("dilation", { kind: "pair", min: 1 }, [1, 1]),
    arg.activation(),
    arg.useBias(),
  ],
  sharding: { kind: "column", attr: "filters", axis: "channels" },
  infer: (input) => inferConv(input, "conv2d", numAttr(input.attrs, "filters"), false),
} satisfies OpSpec<"conv2d">;

/**
 * `depthwise_conv2d(kernel, strides=1, padding=valid, depth_multiplier=1, dilation=1, activation, use_bias)`:
 * Keras `DepthwiseConv2D`. Normalised attrs: `{ kernel: [h, w], strides: [h, w], padding, depth_multiplier: int,
 * dilation: [h, w], activation: string, use_bias: bool }`.
 */
export const depthwiseConv2d = {
  name: "depthwise_conv2d",
  keras: "DepthwiseConv2D",
  tensorInputs: "one",
  args: [
    arg.required("kernel", { kind: "pair", min: 1 }),
    arg.optional("strides", { kind: "pair", min: 1 }, [1, 1]),
    arg.optional("padding", PADDING, "valid"),
    arg.optional("depth_multiplier", { kind: "int", min: 1 }, 1),
    arg.optional("dilation", { kind: "pair", min: 1 }, [1, 1]),
    arg.activation(),
    arg.useBias(),
  ],
  // Per channel in principle, but its kernel's channel axis is not the last one, which is the only axis the
  // runtime shards weights along: priced and run replicated under m > 1 until the runtime cuts that axis.
  sharding: REPLICATED,
  infer: (input) => inferConv(input, "depthwise_conv2d", 0, true),
} satisfies OpSpec<"depthwise_conv2d">;

/** Output [h, w, c], Keras-exact weights (k·k·Cin·F + F; depthwise k·k·C·m + C·m), and 2 FLOPs per MAC. */
function inferConv(
  input: InferInput,
  op: string,
  filters: number,
  depthwise: boolean,
): InferResult | ShapeError {
  const shape = only(input);
  if (shape.length !== 3) return spatialRankError(op, input, shape);
  const [h, w, c] = shape as [number, number, number];
  const kernel = pairAttr(input.attrs, "kernel");
  const strides = pairAttr(input.attrs, "strides");
  const dilation = pairAttr(input.attrs, "dilation");
  const padding = strAttr(input.attrs, "padding");
  // Keras refuses the pair (and tfjs's conv ops and their gradients assume it away).
  if ((strides[0] > 1 || strides[1] > 1) && (dilation[0] > 1 || dilation[1] > 1))
    return {
      code: "MG2021",
      args: [op, showShape(strides), showShape(dilation)],
      hint: "keep one of them: `strides: 1` to dilate, or `dilation: 1` to stride",
    };
  const oh = windowOutput(h, kernel[0], strides[0], padding, dilation[0]);
  const ow = windowOutput(w, kernel[1], strides[1], padding, dilation[1]);
  if (oh < 1 || ow < 1) {
    const eff = effectiveWindow(kernel, dilation);
    const shown =
      eff[0] === kernel[0] && eff[1] === kernel[1]
        ? showShape(kernel)
        : `${showShape(kernel)} (dilated ${showShape(eff)})`;
    return {
      code: "MG2004",
      args: [op, shown, showShape(shape)],
      hint: "use `padding: same`, a smaller kernel, or a larger input",
    };
  }
  const outChannels = depthwise ? c * numAttr(input.attrs, "depth_multiplier") : filters;
  const perOutput = depthwise ? kernel[0] * kernel[1] : kernel[0] * kernel[1] * c;
  const bias = boolAttr(input.attrs, "use_bias");
  const out = [oh, ow, outChannels];
  const elements = product(out);
  return {
    shape: out,
    params: { trainable: perOutput * outChannels + (bias ? outChannels : 0), nonTrainable: 0 },
    flops:
      elements * (2 * perOutput + (bias ? 1 : 0)) +
      activationFlops(strAttr(input.attrs, "activation"), elements),
  };
}
