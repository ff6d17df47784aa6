import * as tf from "@tensorflow/tfjs";
import {
  depthwiseBackpropFilter,
  depthwiseBackpropInput,
  filterGradientByTaps,
} from "./conv-backprop-kernels.js";

/**
 * tfjs-core's gradients of `Conv2D` and `DepthwiseConv2dNative` assert that every dilation rate is 1, so a
 * dilated convolution, which the language accepts, cannot train. The gradients registered here compute the
 * dilated case from ops every backend has and hand the undilated case to tfjs's own gradient unchanged, so
 * nothing that trained before changes by a bit.
 *
 * Dilation comes with strides 1 only (tfjs's forward ops and `check` both refuse strides > 1 with it, as
 * Keras does), which keeps dx a plain correlation.
 */

type Pad = "same" | "valid" | number;

function pair(value: unknown, name: string): [number, number] {
  if (typeof value === "number") return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number"))
    return [value[0] as number, value[1] as number];
  if (value === undefined || value === null) return [1, 1];
  throw new TypeError(`convolution gradient: attribute ${name} is not a number or a pair`);
}

function isDilated(attrs: tf.NamedAttrMap): boolean {
  const [h, w] = pair(attrs["dilations"], "dilations");
  return h > 1 || w > 1;
}

function requireNhwcStride1(attrs: tf.NamedAttrMap, op: string): void {
  const format = attrs["dataFormat"];
  if (format !== undefined && format !== "NHWC")
    throw new Error(`gradient of a dilated ${op}: only NHWC is supported (got ${String(format)})`);
  const [sh, sw] = pair(attrs["strides"], "strides");
  if (sh !== 1 || sw !== 1)
    throw new Error(`gradient of a dilated ${op}: strides must be 1 (got [${sh}, ${sw}])`);
}

/** `t` padded (positive amounts) or cropped (negative ones) on its two spatial axes. */
function padOrCrop(t: tf.Tensor4D, rows: [number, number], cols: [number, number]): tf.Tensor4D {
  const padded = tf.pad(t, [
    [0, 0],
    [Math.max(0, rows[0]), Math.max(0, rows[1])],
    [Math.max(0, cols[0]), Math.max(0, cols[1])],
    [0, 0],
  ]);
  const [b, h, w, c] = padded.shape;
  const top = Math.max(0, -rows[0]);
  const left = Math.max(0, -cols[0]);
  return tf.slice(
    padded,
    [0, top, left, 0],
    [b, h - top - Math.max(0, -rows[1]), w - left - Math.max(0, -cols[1]), c],
  );
}

/**
 * dx of a stride-1 dilated conv2d: the full correlation of dy with the filter turned 180° and its in/out
 * channels swapped, at the same dilation. dy is padded by (effective size − 1 − the forward pad) on each
 * side, so that the valid correlation is exactly the input's size.
 */
export function dilatedConv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
): tf.Tensor4D {
  return tf.tidy(() => {
    const { effectiveFilterHeight: eh, effectiveFilterWidth: ew, padInfo } = info;
    const top = eh - 1 - padInfo.top;
    const left = ew - 1 - padInfo.left;
    const full = padOrCrop(
      dy,
      [top, info.inHeight + eh - 1 - info.outHeight - top],
      [left, info.inWidth + ew - 1 - info.outWidth - left],
    );
    const turned = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(full, turned, 1, "valid", "NHWC", [info.dilationHeight, info.dilationWidth]);
  });
}

/** dx and dW of tf.conv2d with dilations > 1, from the forward op's input, filter and attributes. */
export function dilatedConv2dGradients(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.NamedAttrMap,
): { x: () => tf.Tensor4D; filter: () => tf.Tensor4D } {
  requireNhwcStride1(attrs, "conv2d");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    filter.shape,
    1,
    pair(attrs["dilations"], "dilations"),
    attrs["pad"] as Pad,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
  );
  return {
    x: () => dilatedConv2dInputGradient(dy, filter, info),
    filter: () => filterGradientByTaps(x, dy, info),
  };
}

/**
 * dx and dW of tf.depthwiseConv2d with dilations > 1. The depthwise backprop built for wasm
 * (conv-backprop-kernels.ts) is made of ops and honours dilations; the cpu backend's own backprop kernels
 * read the attribute but ignore it, so the same functions serve every backend.
 */
export function dilatedDepthwiseGradients(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.NamedAttrMap,
): { x: () => tf.Tensor4D; filter: () => tf.Tensor4D } {
  requireNhwcStride1(attrs, "depthwise_conv2d");
  return {
    x: () => depthwiseBackpropInput(dy, filter, { ...attrs, inputShape: x.shape }),
    filter: () => depthwiseBackpropFilter(x, dy, { ...attrs, filterShape: filter.shape }),
  };
}

type Gradients = (
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.NamedAttrMap,
) => { x: () => tf.Tensor4D; filter: () => tf.Tensor4D };

/** Registers `dilated` for `kernelName`, keeping tfjs's own gradient for the undilated case. */
function registerDilatedGradient(kernelName: string, dilated: Gradients): void {
  const stock = tf.getGradient(kernelName);
  tf.registerGradient({
    kernelName,
    inputsToSave: ["x", "filter"],
    gradFunc: (dy, saved, attrs) => {
      if (!isDilated(attrs)) return stock.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      return dilated(dy as tf.Tensor4D, x, filter, attrs);
    },
  });
}

let registered = false;

/** Makes dilated conv2d and depthwise conv2d differentiable on every backend; safe to call more than once. */
export function registerDilatedConvGradients(): void {
  if (registered) return;
  registered = true;
  registerDilatedGradient(tf.Conv2D, dilatedConv2dGradients);
  registerDilatedGradient(tf.DepthwiseConv2dNative, dilatedDepthwiseGradients);
}
