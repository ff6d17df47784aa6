import * as tf from "@tensorflow/tfjs";
import { heapView } from "./read-floats.js";

/**
 * Backward kernels for wasm written as plain loops over the tensors in wasm's heap, where tfjs's own wasm ops
 * are slow for the shape training gives them. Measured on the seed CNN's shapes (batch 64, 28×28×1 → 3×3×32 →
 * 2×2 max-pool), one thread of the build VM: the nine strided slices of the conv filter gradient's im2col took
 * 29 ms (0.07 µs an element) and the wasm MaxPoolGrad kernel 36 ms, together about two thirds of the whole
 * forward and backward (~100 ms). These loops are linear in the elements they touch.
 */

/**
 * The input windows of a conv2d's filter taps as one [taps·inC, rows] matrix (rows = batch·outH·outW, taps in
 * the filter's [kh, kw] order, zero where a window reaches into the padding): im2col, laid out so that
 * dW = columns · dy is one plain GEMM whose result is already in the filter's [kh, kw, inC, outC] order.
 */
export function tapColumns(x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): Float32Array {
  const { batchSize: batch, inHeight: height, inWidth: width, inChannels: channels } = info;
  const { outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const rows = batch * outHeight * outWidth;
  const values = heapView(x);
  const columns = new Float32Array(info.filterHeight * info.filterWidth * channels * rows);
  for (let r = 0; r < info.filterHeight; r++) {
    for (let c = 0; c < info.filterWidth; c++) {
      const tap = r * info.filterWidth + c;
      for (let ch = 0; ch < channels; ch++) {
        const base = (tap * channels + ch) * rows;
        let row = 0;
        for (let b = 0; b < batch; b++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + r * dilationHeight - top;
            if (ih < 0 || ih >= height) {
              row += outWidth; // a padding row: zeros, as the array starts
              continue;
            }
            const line = (b * height + ih) * width;
            for (let ow = 0; ow < outWidth; ow++, row++) {
              const iw = ow * strideWidth + c * dilationWidth - left;
              if (iw >= 0 && iw < width) columns[base + row] = values[(line + iw) * channels + ch]!;
            }
          }
        }
      }
    }
  }
  return columns;
}

/** tfjs-backend-wasm's allocation of a kernel's output in its heap. */
interface OutputBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/**
 * dx of a 2-D max pool, made in wasm's heap: each output's gradient goes to its window's maximum, the first
 * in row-major order when several are equal (TensorFlow's, tfjs's cpu backend's and PyTorch's rule), and
 * overlapping windows' shares are added. Padding never wins: it is outside the input.
 */
export function maxPoolGradient(
  dy: tf.TensorInfo,
  input: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const out = (tf.backend() as unknown as OutputBackend).makeOutput([...input.shape], "float32");
  // Views after the allocation, which may have moved the heap.
  const x = heapView(input);
  const g = heapView(dy);
  const dx = heapView(out);
  dx.fill(0);
  // Locals, not property reads in the loops below.
  const { batchSize: batch, inHeight: height, inWidth: width, inChannels: channels } = info;
  const { outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { effectiveFilterHeight: windowHeight, effectiveFilterWidth: windowWidth } = info;
  const { top, left } = info.padInfo;
  // Channels innermost, as NHWC stores them: each window tap is one contiguous run of `channels` values,
  // compared with the running maxima (one output position at a time). 2× faster than a channel's taps in turn.
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++, o += channels) {
        const w0 = ow * strideWidth - left;
        let first = true;
        for (let r = 0; r < windowHeight; r += dilationHeight) {
          const ih = h0 + r;
          if (ih < 0 || ih >= height) continue;
          const line = (b * height + ih) * width;
          for (let c = 0; c < windowWidth; c += dilationWidth) {
            const iw = w0 + c;
            if (iw < 0 || iw >= width) continue;
            const base = (line + iw) * channels;
            if (first) {
              for (let ch = 0; ch < channels; ch++) {
                best[ch] = x[base + ch]!;
                at[ch] = base + ch;
              }
              first = false;
              continue;
            }
            for (let ch = 0; ch < channels; ch++) {
              const v = x[base + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        if (first) continue; // a window wholly in the padding
        for (let ch = 0; ch < channels; ch++) dx[at[ch]!] = dx[at[ch]!]! + g[o + ch]!;
      }
    }
  }
  return out;
}
