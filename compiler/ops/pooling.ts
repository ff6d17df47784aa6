import { arg } from "./arg-schema.js";
import { CHANNELWISE, type OpSpec } from "./op-spec.js";
import {
  NO_PARAMS,
  only,
  pairAttr,
  product,
  showShape,
  spatialRankError,
  strAttr,
  windowOutput,
} from "./shape-utils.js";

const POOL_ARGS = [
  arg.optional("pool", { kind: "pair", min: 1 }, [2, 2]),
  arg.defaultFrom("strides", { kind: "pair", min: 1 }, "pool"),
  arg.optional("padding", { kind: "enum", values: ["valid", "same"] }, "valid"),
] as const;

/**
 * `maxpool2d(pool=2, strides=pool, padding=valid)` and `avgpool2d(...)`: Keras `MaxPooling2D` / `AveragePooling2D`.
 * Normalised attrs: `{ pool: [h, w], strides: [h, w] (pool when absent), padding: "valid" | "same" }`.
 */
function pooling<N extends string>(name: N, keras: string): OpSpec<N, typeof POOL_ARGS> {
  return {
    name,
    keras,
    tensorInputs: "one",
    args: POOL_ARGS,
    sharding: CHANNELWISE,
    infer(input) {
      const shape = only(input);
      if (shape.length !== 3) return spatialRankError(name, input, shape);
      const [h, w, c] = shape as [number, number, number];
      const pool = pairAttr(input.attrs, "pool");
      const strides = pairAttr(input.attrs, "strides");
      const padding = strAttr(input.attrs, "padding");
      if (padding === "valid" && (pool[0] > h || pool[1] > w)) {
        return {
          code: "MG2003",
          args: [name, showShape(pool), showShape(shape)],
          hint: "use a smaller `pool` or `padding: same`",
        };
      }
      const out = [
        windowOutput(h, pool[0], strides[0], padding),
        windowOutput(w, pool[1], strides[1], padding),
        c,
      ];
      return { shape: out, params: NO_PARAMS, flops: product(out) * pool[0] * pool[1] };
    },
  };
}

export const maxpool2d = pooling("maxpool2d", "MaxPooling2D");
export const avgpool2d = pooling("avgpool2d", "AveragePooling2D");

/** `global_avg_pool2d` / `global_max_pool2d`: [h, w, c] → [c]. No attrs. */
function globalPooling<N extends string>(name: N, keras: string): OpSpec<N, readonly []> {
  return {
    name,
    keras,
    tensorInputs: "one",
    args: [],
    sharding: CHANNELWISE,
    infer(input) {
      const shape = only(input);
      if (shape.length !== 3) return spatialRankError(name, input, shape);
      return { shape: [shape[2]!], params: NO_PARAMS, flops: product(shape) };
    },
  };
}

export const globalAvgPool2d = globalPooling("global_avg_pool2d", "GlobalAveragePooling2D");
export const globalMaxPool2d = globalPooling("global_max_pool2d", "GlobalMaxPooling2D");

/**
 * `zeropad2d(padding=1)`: Keras `ZeroPadding2D`.
 * Normalised attrs: `{ padding: [[top, bottom], [left, right]] }`.
 */
export const zeropad2d = {
  name: "zeropad2d",
  keras: "ZeroPadding2D",
  tensorInputs: "one",
  args: [
    arg.optional("padding", { kind: "padding2d" }, [
      [1, 1],
      [1, 1],
    ]),
  ],
  sharding: CHANNELWISE,
  keepsDtype: true,
  infer(input) {
    const shape = only(input);
    if (shape.length !== 3) return spatialRankError("zeropad2d", input, shape);
    const p = input.attrs["padding"] as readonly (readonly number[])[];
    const [top, bottom] = p[0] as [number, number];
    const [left, right] = p[1] as [number, number];
    return {
      shape: [shape[0]! + top + bottom, shape[1]! + left + right, shape[2]!],
      params: NO_PARAMS,
      flops: 0,
    };
  },
} satisfies OpSpec<"zeropad2d">;
