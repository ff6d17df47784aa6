/**
 * An independent float64 reference for dilated convolutions, written out by hand (no tfjs): the forward pass
 * as the definition says, and gradients by central finite differences of a loss that is linear in every
 * input, so the differences are exact up to rounding.
 */

export type Shape4 = readonly [number, number, number, number];

export interface ConvForm {
  readonly dilation: readonly [number, number];
  readonly padding: "same" | "valid";
  /** Depthwise: filter [kh, kw, C, multiplier], output channel c·multiplier + m. Else [kh, kw, Cin, Cout]. */
  readonly depthwise: boolean;
}

export interface ConvValues {
  readonly x: Float64Array;
  readonly xShape: Shape4;
  readonly w: Float64Array;
  readonly wShape: Shape4;
  /** One per output channel, or none. */
  readonly bias: Float64Array | null;
}

/** TensorFlow's padding before the first row (column) at stride 1: half the total, rounded down. */
function padBefore(kernel: number, dilation: number, padding: "same" | "valid"): number {
  if (padding === "valid") return 0;
  return ((kernel - 1) * dilation) >> 1;
}

function outLength(length: number, kernel: number, dilation: number, padding: "same" | "valid"): number {
  return padding === "same" ? length : length - (kernel - 1) * dilation;
}

export function outputShape(v: ConvValues, form: ConvForm): Shape4 {
  const [b, h, w, c] = v.xShape;
  const [kh, kw, , last] = v.wShape;
  return [
    b,
    outLength(h, kh, form.dilation[0], form.padding),
    outLength(w, kw, form.dilation[1], form.padding),
    form.depthwise ? c * last : last,
  ];
}

/** y[b, i, j, o] = Σ x[b, i + r·dh − top, j + s·dw − left, ·] · w[r, s, ·, ·] (+ bias[o]), zeros outside x. */
export function convForward(v: ConvValues, form: ConvForm): Float64Array {
  const [batch, h, width, cin] = v.xShape;
  const [kh, kw, , last] = v.wShape;
  const [, oh, ow, cout] = outputShape(v, form);
  const [dh, dw] = form.dilation;
  const top = padBefore(kh, dh, form.padding);
  const left = padBefore(kw, dw, form.padding);
  const y = new Float64Array(batch * oh * ow * cout);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < cout; o++) {
          let sum = v.bias === null ? 0 : v.bias[o]!;
          for (let r = 0; r < kh; r++) {
            const xi = i + r * dh - top;
            if (xi < 0 || xi >= h) continue;
            for (let s = 0; s < kw; s++) {
              const xj = j + s * dw - left;
              if (xj < 0 || xj >= width) continue;
              const xAt = ((b * h + xi) * width + xj) * cin;
              if (form.depthwise) {
                const c = Math.floor(o / last);
                const m = o % last;
                sum += v.x[xAt + c]! * v.w[((r * kw + s) * cin + c) * last + m]!;
              } else {
                for (let c = 0; c < cin; c++)
                  sum += v.x[xAt + c]! * v.w[((r * kw + s) * cin + c) * cout + o]!;
              }
            }
          }
          y[((b * oh + i) * ow + j) * cout + o] = sum;
        }
  return y;
}

/** L = Σ y · g: dL/dy is g, and L is linear in x, w and the bias. */
function loss(v: ConvValues, form: ConvForm, g: Float64Array): number {
  const y = convForward(v, form);
  let sum = 0;
  for (let k = 0; k < y.length; k++) sum += y[k]! * g[k]!;
  return sum;
}

function centralDifferences(values: Float64Array, at: () => number): Float64Array {
  const h = 1e-3;
  const out = new Float64Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const kept = values[k]!;
    values[k] = kept + h;
    const up = at();
    values[k] = kept - h;
    const down = at();
    values[k] = kept;
    out[k] = (up - down) / (2 * h);
  }
  return out;
}

/** dL/dx, dL/dw and dL/dbias of L = Σ conv(x, w) · g, by central finite differences in float64. */
export function referenceGradients(
  v: ConvValues,
  form: ConvForm,
  g: Float64Array,
): { dx: Float64Array; dw: Float64Array; dbias: Float64Array | null } {
  // The arrays are copied so the perturbation never touches the caller's.
  const work: ConvValues = {
    ...v,
    x: Float64Array.from(v.x),
    w: Float64Array.from(v.w),
    bias: v.bias === null ? null : Float64Array.from(v.bias),
  };
  const at = () => loss(work, form, g);
  return {
    dx: centralDifferences(work.x, at),
    dw: centralDifferences(work.w, at),
    dbias: work.bias === null ? null : centralDifferences(work.bias, at),
  };
}

/** Deterministic values in [−0.5, 0.5), exact in float32 so tfjs sees the very same numbers. */
export function randomValues(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround(s / 2 ** 32 - 0.5);
  }
  return out;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
