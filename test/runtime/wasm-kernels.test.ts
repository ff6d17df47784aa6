import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../runtime/backend/index.js";

/** Runs `fn` on a backend and returns its value and gradients as plain arrays. */
async function gradsOn(
  backend: string,
  fn: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor,
  x: Float32Array,
  xShape: [number, number, number, number],
  w: Float32Array,
  wShape: [number, number, number, number],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const xt = tf.tensor4d(x, xShape);
  const wt = tf.tensor4d(w, wShape);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.square(fn(a as tf.Tensor4D, b as tf.Tensor4D))),
  );
  const [dx, dw] = g([xt, wt]);
  const out = [await dx!.data(), await dw!.data()] as Float32Array[];
  tf.dispose([xt, wt, dx!, dw!]);
  return out;
}

function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly w: [number, number, number, number];
  readonly strides: number;
  readonly pad: "same" | "valid";
}

const convCases: Case[] = [
  { name: "3x3 same stride 1", x: [2, 7, 6, 3], w: [3, 3, 3, 4], strides: 1, pad: "same" },
  { name: "3x3 valid stride 2", x: [2, 9, 8, 2], w: [3, 3, 2, 5], strides: 2, pad: "valid" },
  { name: "5x3 same stride 2", x: [1, 8, 7, 2], w: [5, 3, 2, 3], strides: 2, pad: "same" },
  { name: "1x1", x: [3, 4, 4, 6], w: [1, 1, 6, 2], strides: 1, pad: "valid" },
];

const depthwiseCases: Case[] = [
  { name: "3x3 same stride 1 mult 2", x: [2, 6, 6, 3], w: [3, 3, 3, 2], strides: 1, pad: "same" },
  { name: "3x3 valid stride 2 mult 1", x: [2, 9, 8, 2], w: [3, 3, 2, 1], strides: 2, pad: "valid" },
  { name: "2x2 same stride 2 mult 3", x: [1, 7, 7, 2], w: [2, 2, 2, 3], strides: 2, pad: "same" },
];

describe("wasm conv backprop kernels match the cpu backend", () => {
  beforeAll(async () => {
    const info = await initBackend("wasm");
    expect(info.name).toBe("wasm");
  });

  for (const c of convCases) {
    it(`conv2d ${c.name}`, async () => {
      const x = rand(
        c.x.reduce((a, b) => a * b),
        1,
      );
      const w = rand(
        c.w.reduce((a, b) => a * b),
        2,
      );
      const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.strides, c.pad);
      const onCpu = await gradsOn("cpu", f, x, c.x, w, c.w);
      const onWasm = await gradsOn("wasm", f, x, c.x, w, c.w);
      expect(maxDiff(onCpu[0]!, onWasm[0]!)).toBeLessThan(1e-4);
      expect(maxDiff(onCpu[1]!, onWasm[1]!)).toBeLessThan(1e-4);
    });
  }

  for (const c of depthwiseCases) {
    it(`depthwise ${c.name}`, async () => {
      const x = rand(
        c.x.reduce((a, b) => a * b),
        3,
      );
      const w = rand(
        c.w.reduce((a, b) => a * b),
        4,
      );
      const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.depthwiseConv2d(a, b, c.strides, c.pad);
      const onCpu = await gradsOn("cpu", f, x, c.x, w, c.w);
      const onWasm = await gradsOn("wasm", f, x, c.x, w, c.w);
      expect(maxDiff(onCpu[0]!, onWasm[0]!)).toBeLessThan(1e-4);
      expect(maxDiff(onCpu[1]!, onWasm[1]!)).toBeLessThan(1e-4);
    });
  }
});

interface PoolCase {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly size: number | [number, number];
  readonly strides: number | [number, number];
  readonly pad: "same" | "valid";
}

const poolCases: PoolCase[] = [
  { name: "2x2 stride 2 valid (the seed CNN's)", x: [3, 8, 6, 5], size: 2, strides: 2, pad: "valid" },
  { name: "3x3 stride 2 same (overlapping, padded)", x: [2, 7, 9, 3], size: 3, strides: 2, pad: "same" },
  {
    name: "3x2 stride 1 same (every input in many windows)",
    x: [1, 5, 6, 4],
    size: [3, 2],
    strides: 1,
    pad: "same",
  },
  { name: "2x2 stride 3 valid (inputs in no window)", x: [2, 8, 8, 2], size: 2, strides: 3, pad: "valid" },
];

/** Values from a handful of levels, half of them 0 as after a relu: most windows hold ties. */
function tied(n: number, seed: number): Float32Array {
  return rand(n, seed).map((v) => Math.max(0, Math.round(v * 6)));
}

describe("wasm's MaxPoolGrad (heap-loops.ts) matches the cpu backend, ties included", () => {
  beforeAll(async () => {
    expect((await initBackend("wasm")).name).toBe("wasm");
  });

  for (const c of poolCases) {
    it(`max pool ${c.name}`, async () => {
      const n = c.x.reduce((a, b) => a * b);
      for (const [label, x] of [
        ["distinct values", rand(n, 5)],
        ["tied values", tied(n, 6)],
      ] as const) {
        const dxOn = async (backend: string) => {
          await tf.setBackend(backend);
          const xt = tf.tensor4d(x, c.x);
          // A different weight per output position, so that a gradient routed to the wrong input shows.
          const dx = tf.grad((a: tf.Tensor) => {
            const y = tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad);
            return tf.sum(tf.mul(y, tf.tensor(rand(y.size, 7), y.shape)));
          })(xt);
          const out = (await dx.data()) as Float32Array;
          tf.dispose([xt, dx]);
          return out;
        };
        const onCpu = await dxOn("cpu");
        const onWasm = await dxOn("wasm");
        // Overlapping windows add their shares in another order: within float rounding.
        expect(maxDiff(onCpu, onWasm), label).toBeLessThan(1e-6);
        expect(
          onWasm.some((v) => v !== 0),
          label,
        ).toBe(true);
      }
    });
  }
});
