import * as tf from "@tensorflow/tfjs";
import { maxPoolGradient, tapColumns } from "./heap-loops.js";

/**
 * The wasm backend has no `Conv2DBackpropFilter` nor the depthwise backprop kernels, so conv layers cannot
 * train on it. These kernels build them from wasm ops that exist: an im2col of the padded input (one strided
 * slice per filter tap) followed by one batched matMul, which keeps the heavy work inside wasm's GEMM.
 */

type Pad =
  "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

interface TapGeometry {
  readonly info: tf.backend_util.Conv2DInfo;
  readonly padded: tf.Tensor4D;
}

function padForTaps(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { top, left } = info.padInfo;
  const needH = (info.filterHeight - 1) * info.dilationHeight + (info.outHeight - 1) * info.strideHeight + 1;
  const needW = (info.filterWidth - 1) * info.dilationWidth + (info.outWidth - 1) * info.strideWidth + 1;
  const bottom = Math.max(0, needH - top - info.inHeight);
  const right = Math.max(0, needW - left - info.inWidth);
  return tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
}

/** Each filter tap's input window as [batch·outH·outW, inChannels], tap-major like the filter's layout. */
function taps(geometry: TapGeometry): tf.Tensor2D[] {
  const { info, padded } = geometry;
  const out: tf.Tensor2D[] = [];
  const rows = info.batchSize * info.outHeight * info.outWidth;
  for (let r = 0; r < info.filterHeight; r++) {
    for (let c = 0; c < info.filterWidth; c++) {
      const r0 = r * info.dilationHeight;
      const c0 = c * info.dilationWidth;
      const window = tf.stridedSlice(
        padded,
        [0, r0, c0, 0],
        [
          info.batchSize,
          r0 + (info.outHeight - 1) * info.strideHeight + 1,
          c0 + (info.outWidth - 1) * info.strideWidth + 1,
          info.inChannels,
        ],
        [1, info.strideHeight, info.strideWidth, 1],
      );
      out.push(tf.reshape(window, [rows, info.inChannels]));
    }
  }
  return out;
}

function requireChannelsLast(dataFormat: unknown, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== "NHWC" && dataFormat !== "channelsLast") {
    throw new Error(`${kernel} on wasm: only NHWC is supported (got ${String(dataFormat)})`);
  }
}

export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: tf.NamedAttrMap): tf.Tensor4D {
  requireChannelsLast(attrs["dataFormat"], "Conv2DBackpropFilter");
  const filterShape = attrs["filterShape"] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    filterShape,
    attrs["strides"] as number | [number, number],
    1,
    attrs["pad"] as Pad,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
  );
  // The same GEMM as `filterGradientByTaps`, its columns made by a loop over wasm's heap (heap-loops.ts).
  const columns = tapColumns(x, info);
  const rows = info.batchSize * info.outHeight * info.outWidth;
  return tf.tidy(() =>
    tf.reshape(
      tf.matMul(
        tf.tensor2d(columns, [columns.length / rows, rows]),
        tf.reshape(dy, [rows, info.outChannels]),
      ),
      info.filterShape,
    ),
  );
}

/**
 * dW of a conv2d of geometry `info` (strides and dilations included) from its input and output gradient, by
 * the tap-wise im2col above. Built from plain ops, so it also serves as a gradient on any backend.
 */
export function filterGradientByTaps(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
): tf.Tensor4D {
  return tf.tidy(() => {
    // Stacked [taps, rows, inC] → [taps·inC, rows], then one plain GEMM with dy [rows, outC] gives the filter
    // in its own [kh, kw, inC, outC] order. (A concat along channels, transposed GEMMs and batched GEMMs with
    // few columns are all slow on wasm; this form avoids the three.)
    const stacked = tf.stack(taps({ info, padded: padForTaps(x, info) }));
    const rows = tf.reshape(tf.transpose(stacked, [0, 2, 1]), [-1, stacked.shape[1]!]);
    return tf.reshape(tf.matMul(rows, tf.reshape(dy, [-1, info.outChannels])), info.filterShape);
  });
}

export function depthwiseBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: tf.NamedAttrMap,
): tf.Tensor4D {
  requireChannelsLast(attrs["dataFormat"], "DepthwiseConv2dNativeBackpropFilter");
  const filterShape = attrs["filterShape"] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    filterShape,
    attrs["strides"] as number | [number, number],
    (attrs["dilations"] as number | [number, number] | undefined) ?? 1,
    attrs["pad"] as Pad,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
    true,
  );
  const multiplier = filterShape[3];
  return tf.tidy(() => {
    const dy3 = tf.reshape(dy, [-1, info.inChannels, multiplier]);
    const perTap = taps({ info, padded: padForTaps(x, info) }).map((tap) =>
      tf.sum(tf.mul(tf.expandDims(tap, 2), dy3), 0),
    );
    return tf.reshape(tf.stack(perTap), filterShape);
  });
}

/**
 * dx of a depthwise conv is a stride-1 depthwise conv of the zero-dilated, padded dy with the flipped filter
 * (one channel per (input channel, multiplier) pair), summed over the multiplier.
 */
export function depthwiseBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.NamedAttrMap,
): tf.Tensor4D {
  requireChannelsLast(attrs["dataFormat"], "DepthwiseConv2dNativeBackpropInput");
  const inShape = attrs["inputShape"] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filter.shape,
    attrs["strides"] as number | [number, number],
    (attrs["dilations"] as number | [number, number] | undefined) ?? 1,
    attrs["pad"] as Pad,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
    true,
  );
  const [fh, fw, inC, mult] = filter.shape;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  return tf.tidy(() => {
    const b = info.batchSize;
    // Zero-dilate dy by the stride: [b, oh, 1, ow, 1, c] padded to [b, oh, sh, ow, sw, c].
    let d = tf.reshape(dy, [b, info.outHeight, 1, info.outWidth, 1, inC * mult]);
    d = tf.pad(d, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    const dilated = tf.reshape(d, [b, info.outHeight * sh, info.outWidth * sw, inC * mult]);
    const effH = (fh - 1) * dh + 1;
    const effW = (fw - 1) * dw + 1;
    const top = effH - 1 - info.padInfo.top;
    const left = effW - 1 - info.padInfo.left;
    const needH = info.inHeight + effH - 1;
    const needW = info.inWidth + effW - 1;
    const cropped = tf.slice(
      tf.pad(dilated, [
        [0, 0],
        [Math.max(0, top), Math.max(0, needH - top - info.outHeight * sh)],
        [Math.max(0, left), Math.max(0, needW - left - info.outWidth * sw)],
        [0, 0],
      ]),
      [0, Math.max(0, -top), Math.max(0, -left), 0],
      [b, needH, needW, inC * mult],
    ) as tf.Tensor4D;
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, inC * mult, 1]) as tf.Tensor4D;
    const perPair = tf.depthwiseConv2d(cropped, flipped, 1, "valid", "NHWC", [dh, dw]);
    return tf.sum(tf.reshape(perPair, [b, info.inHeight, info.inWidth, inC, mult]), 4);
  });
}

let registered = false;

/** Registers the kernels above for `wasm` where it lacks them; safe to call more than once. */
export function registerWasmGradKernels(): void {
  if (registered) return;
  registered = true;
  const have = new Set(tf.getKernelsForBackend("wasm").map((k) => k.kernelName));
  const add = (
    kernelName: string,
    names: readonly [string, string],
    fn: (a: tf.Tensor4D, b: tf.Tensor4D, attrs: tf.NamedAttrMap) => tf.Tensor4D,
  ) => {
    if (have.has(kernelName)) return;
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      // Nested ops inside a kernel are allowed: the engine records no tape below kernel depth 0.
      kernelFunc: ({ inputs, attrs }) => {
        const named = inputs as unknown as Record<string, tf.Tensor4D>;
        return fn(named[names[0]]!, named[names[1]]!, attrs ?? {});
      },
    });
  };
  add(tf.Conv2DBackpropFilter, ["x", "dy"], (x, dy, attrs) => conv2dBackpropFilter(x, dy, attrs));
  // wasm has a MaxPoolGrad of its own, but slow (heap-loops.ts): this one takes its place.
  tf.unregisterKernel(tf.MaxPoolGrad, "wasm");
  tf.registerKernel({
    kernelName: tf.MaxPoolGrad,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) => {
      const { dy, input } = inputs as unknown as Record<string, tf.Tensor4D>;
      const a = attrs ?? {};
      const info = tf.backend_util.computePool2DInfo(
        input!.shape,
        a["filterSize"] as number | [number, number],
        a["strides"] as number | [number, number],
        1,
        a["pad"] as Pad,
        a["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
      );
      return maxPoolGradient(dy!, input!, info);
    },
  });
  add(tf.DepthwiseConv2dNativeBackpropFilter, ["x", "dy"], (x, dy, attrs) =>
    depthwiseBackpropFilter(x, dy, attrs),
  );
  add(tf.DepthwiseConv2dNativeBackpropInput, ["dy", "filter"], (dy, filter, attrs) =>
    depthwiseBackpropInput(dy, filter, attrs),
  );
}
