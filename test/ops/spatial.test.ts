import { describe, expect, it } from "vitest";
import { inferOne, kerasLength } from "./infer-one.js";

const PADDINGS = ["valid", "same"] as const;
const pair = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0]!, v[1]!] : [v, v]);

describe("conv2d against Keras Conv2D", () => {
  const cases: { input: number[]; filters: number; kernel: number | number[]; strides: number | number[] }[] =
    [];
  for (const input of [
    [28, 28, 1],
    [32, 32, 3],
    [7, 9, 16],
  ])
    for (const kernel of [1, 3, 5, [3, 5]])
      for (const strides of [1, 2, [2, 1]]) cases.push({ input, filters: 8, kernel, strides });

  for (const c of cases)
    for (const padding of PADDINGS)
      for (const useBias of [true, false]) {
        it(`${JSON.stringify(c)} ${padding} bias=${useBias}`, () => {
          const node = inferOne(c.input, "conv2d", [c.filters], {
            kernel: c.kernel,
            strides: c.strides,
            padding,
            use_bias: useBias,
          });
          const [kh, kw] = pair(c.kernel);
          const [sh, sw] = pair(c.strides);
          const [h, w, cin] = c.input as [number, number, number];
          expect(node.outputShape).toEqual([
            kerasLength(h, kh, sh, padding),
            kerasLength(w, kw, sw, padding),
            c.filters,
          ]);
          expect(node.params).toEqual({
            trainable: kh * kw * cin * c.filters + (useBias ? c.filters : 0),
            nonTrainable: 0,
          });
        });
      }

  it("dilation widens the window (Keras dilation_rate)", () => {
    for (const padding of PADDINGS) {
      const node = inferOne([32, 30, 3], "conv2d", [4, 3], { dilation: [2, 3], padding });
      expect(node.outputShape).toEqual([
        kerasLength(32, 3, 1, padding, 2),
        kerasLength(30, 3, 1, padding, 3),
        4,
      ]);
      expect(node.params?.trainable).toBe(3 * 3 * 3 * 4 + 4);
    }
  });

  it("counts 2 FLOPs per multiply-add plus the bias, and normalises attrs", () => {
    const node = inferOne([28, 28, 1], "conv2d", [32], { kernel: 3 });
    expect(node.flops).toBe(26 * 26 * 32 * (2 * 9 + 1));
    expect(node.activationBytes).toBe(26 * 26 * 32 * 4);
    expect(node.attrs).toEqual({
      filters: 32,
      kernel: [3, 3],
      strides: [1, 1],
      padding: "valid",
      dilation: [1, 1],
      activation: "linear",
      use_bias: true,
    });
  });
});

describe("depthwise_conv2d against Keras DepthwiseConv2D", () => {
  for (const mult of [1, 2])
    for (const kernel of [3, [3, 1]])
      for (const strides of [1, 2])
        for (const padding of PADDINGS)
          for (const useBias of [true, false])
            it(`mult=${mult} kernel=${JSON.stringify(kernel)} s=${strides} ${padding} bias=${useBias}`, () => {
              const node = inferOne([15, 16, 8], "depthwise_conv2d", [kernel], {
                strides,
                padding,
                depth_multiplier: mult,
                use_bias: useBias,
              });
              const [kh, kw] = pair(kernel);
              expect(node.outputShape).toEqual([
                kerasLength(15, kh, strides, padding),
                kerasLength(16, kw, strides, padding),
                8 * mult,
              ]);
              expect(node.params).toEqual({
                trainable: kh * kw * 8 * mult + (useBias ? 8 * mult : 0),
                nonTrainable: 0,
              });
            });
});

describe("pooling against Keras MaxPooling2D / AveragePooling2D", () => {
  for (const op of ["maxpool2d", "avgpool2d"])
    for (const input of [
      [7, 8, 4],
      [28, 28, 32],
    ])
      for (const pool of [2, 3, [2, 3]])
        for (const strides of [undefined, 1, 2])
          for (const padding of PADDINGS)
            it(`${op} ${JSON.stringify(input)} pool=${JSON.stringify(pool)} s=${strides} ${padding}`, () => {
              const node = inferOne(input, op, [pool], { ...(strides ? { strides } : {}), padding });
              const [ph, pw] = pair(pool);
              const [sh, sw] = strides === undefined ? [ph, pw] : [strides, strides];
              expect(node.outputShape).toEqual([
                kerasLength(input[0]!, ph, sh, padding),
                kerasLength(input[1]!, pw, sw, padding),
                input[2],
              ]);
              expect(node.params).toEqual({ trainable: 0, nonTrainable: 0 });
              expect(node.attrs["strides"]).toEqual([sh, sw]);
            });

  it("defaults to Keras's pool_size 2, strides = pool", () => {
    const node = inferOne([28, 28, 3], "maxpool2d");
    expect(node.attrs).toEqual({ pool: [2, 2], strides: [2, 2], padding: "valid" });
    expect(node.outputShape).toEqual([14, 14, 3]);
  });

  it("global pooling keeps the channels", () => {
    expect(inferOne([7, 7, 512], "global_avg_pool2d").outputShape).toEqual([512]);
    expect(inferOne([3, 5, 64], "global_max_pool2d").outputShape).toEqual([64]);
  });
});

describe("zeropad2d against Keras ZeroPadding2D", () => {
  const cases: [number | number[] | number[][] | undefined, number[][]][] = [
    [
      undefined,
      [
        [1, 1],
        [1, 1],
      ],
    ],
    [
      3,
      [
        [3, 3],
        [3, 3],
      ],
    ],
    [
      [1, 2],
      [
        [1, 1],
        [2, 2],
      ],
    ],
    [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ];
  for (const [written, normal] of cases)
    it(`padding ${JSON.stringify(written)}`, () => {
      const node = inferOne([10, 20, 3], "zeropad2d", written === undefined ? [] : [written]);
      expect(node.attrs["padding"]).toEqual(normal);
      const [[t, b], [l, r]] = normal as [[number, number], [number, number]];
      expect(node.outputShape).toEqual([10 + t + b, 20 + l + r, 3]);
    });
});
