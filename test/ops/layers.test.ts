import { describe, expect, it } from "vitest";
import { OPS } from "../../compiler/ops/index.js";
import { inferChain, inferOne } from "./infer-one.js";

const LANGUAGE_LAYERS = [
  "dense",
  "conv2d",
  "depthwise_conv2d",
  "maxpool2d",
  "avgpool2d",
  "global_avg_pool2d",
  "global_max_pool2d",
  "zeropad2d",
  "batchnorm",
  "layernorm",
  "dropout",
  "flatten",
  "reshape",
  "relu",
  "sigmoid",
  "tanh",
  "softmax",
  "gelu",
  "add",
  "multiply",
  "concat",
  "embedding",
  "attention",
  "position_embedding",
];

describe("the op table", () => {
  it("has every layer of LANGUAGE.md and nothing else", () => {
    expect([...OPS.keys()].sort()).toEqual([...LANGUAGE_LAYERS].sort());
  });
  it("takes tensors as arguments exactly for add, multiply and concat", () => {
    const many = [...OPS.values()].filter((op) => op.tensorInputs === "many").map((op) => op.name);
    expect(many.sort()).toEqual(["add", "concat", "multiply"]);
  });
  it("gives every optional argument a default or a source", () => {
    for (const op of OPS.values())
      for (const a of op.args) {
        if (!a.required && a.name !== "shape")
          expect(a.default ?? a.defaultFrom ?? a.defaultFromShape, `${op.name}.${a.name}`).toBeDefined();
      }
  });
});

describe("dense against Keras Dense", () => {
  for (const [input, units, bias] of [
    [[784], 128, true],
    [[784], 10, false],
    [[10, 32], 64, true],
    [[4, 5, 6], 3, true],
  ] as const)
    it(`${JSON.stringify(input)} → ${units} bias=${bias}`, () => {
      const node = inferOne(input, "dense", [units], { use_bias: bias });
      const last = input[input.length - 1]!;
      expect(node.outputShape).toEqual([...input.slice(0, -1), units]);
      expect(node.params).toEqual({ trainable: last * units + (bias ? units : 0), nonTrainable: 0 });
    });

  it("normalises attrs and counts FLOPs per sample", () => {
    const node = inferOne([784], "dense", [128], { activation: "relu" });
    expect(node.attrs).toEqual({ units: 128, activation: "relu", use_bias: true });
    expect(node.flops).toBe(2 * 784 * 128 + 128 + 128);
  });
});

describe("normalisation layers", () => {
  it("batchnorm: 4·C parameters, 2·C non-trainable (Keras BatchNormalization)", () => {
    const node = inferOne([13, 13, 32], "batchnorm", [], { epsilon: 1.001e-5 });
    expect(node.outputShape).toEqual([13, 13, 32]);
    expect(node.params).toEqual({ trainable: 64, nonTrainable: 64 });
    expect(node.attrs).toEqual({ momentum: 0.99, epsilon: 1.001e-5 });
  });
  it("layernorm: 2·C parameters (Keras LayerNormalization)", () => {
    const node = inferOne([10, 64], "layernorm");
    expect(node.params).toEqual({ trainable: 128, nonTrainable: 0 });
    expect(node.attrs).toEqual({ epsilon: 0.001 });
  });
});

describe("shape-only layers", () => {
  it("dropout keeps the shape", () => {
    const node = inferOne([128], "dropout", [0.5]);
    expect(node.outputShape).toEqual([128]);
    expect(node.attrs).toEqual({ rate: 0.5 });
  });
  it("flatten multiplies the axes", () => {
    expect(inferOne([7, 7, 512], "flatten").outputShape).toEqual([25088]);
  });
  it("reshape, with and without -1", () => {
    expect(inferOne([784], "reshape", [[28, 28, 1]]).outputShape).toEqual([28, 28, 1]);
    expect(inferOne([784], "reshape", [[-1, 4]]).outputShape).toEqual([196, 4]);
  });
  for (const op of ["relu", "sigmoid", "tanh", "softmax", "gelu"])
    it(`${op} keeps the shape and has no parameters`, () => {
      const node = inferOne([3, 4], op);
      expect(node.outputShape).toEqual([3, 4]);
      expect(node.params).toEqual({ trainable: 0, nonTrainable: 0 });
      expect(node.flops).toBeGreaterThan(0);
    });
});

describe("merging layers", () => {
  it("add and multiply of same-shaped tensors", () => {
    for (const op of ["add", "multiply"]) {
      const nodes = inferChain(
        [8, 8, 4],
        [
          { op: "relu", inputs: [0] },
          { op: "sigmoid", inputs: [0] },
          { op, inputs: [1, 2, 0] },
        ],
      );
      expect(nodes[3]!.outputShape).toEqual([8, 8, 4]);
    }
  });
  for (const [axis, expected] of [
    [-1, [8, 8, 10]],
    [3, [8, 8, 10]],
  ] as const)
    it(`concat axis ${axis}`, () => {
      const nodes = inferChain(
        [8, 8, 4],
        [
          { op: "conv2d", pos: [6, 1], inputs: [0] },
          { op: "concat", kw: { axis }, inputs: [0, 1] },
        ],
      );
      expect(nodes[2]!.outputShape).toEqual(expected);
    });
  it("concat along axis 1 adds heights", () => {
    const nodes = inferChain([2, 3], [{ op: "concat", kw: { axis: 1 }, inputs: [0, 0] }]);
    expect(nodes[1]!.outputShape).toEqual([4, 3]);
  });
});

describe("embedding against Keras Embedding", () => {
  it("adds an axis of output_dim and has input_dim·output_dim weights", () => {
    const nodes = inferChain([128], [{ op: "embedding", pos: [1000, 64] }, { op: "flatten" }], "int32");
    expect(nodes[0]!.dtype).toBe("int32");
    expect(nodes[1]!.outputShape).toEqual([128, 64]);
    expect(nodes[1]!.dtype).toBe("float32");
    expect(nodes[1]!.params).toEqual({ trainable: 64_000, nonTrainable: 0 });
  });
});
