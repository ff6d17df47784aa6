import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { emitKeras } from "../../compiler/emit/keras/index.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { emitTypeScript } from "../../compiler/emit/typescript/index.js";
import { OPS } from "../../compiler/ops/index.js";
import { compileSource } from "../../compiler/pipeline.js";
import { initBackend } from "../../runtime/index.js";
import { buildModel } from "../../runtime/model/index.js";
import { pyCompileAll } from "../emit-python/python.js";

/**
 * Every op of the table through every backend (issue 14): the tfjs runtime builds and runs it, and the
 * TypeScript, PyTorch and Keras programs are emitted and (the Python ones) compile. The backends' tables are
 * declared `satisfies Record<OpName, ...>`, so a missing row is a type error; this checks the rows work.
 */
const MODELS = [
  `model Spatial {
  input x: [8, 8, 3]
  conv2d(4, kernel: 3, padding: same, dilation: 2, activation: relu6)
  depthwise_conv2d(kernel: 3, depth_multiplier: 2, strides: 2, padding: same)
  zeropad2d(1)
  a = maxpool2d(2)
  b = a -> avgpool2d(2, strides: 1, padding: same)
  c = add(a, b)
  d = multiply(c, b)
  e = concat(c, d)
  f = e -> batchnorm -> relu -> sigmoid -> tanh -> gelu
  g = f -> global_avg_pool2d
  h = f -> global_max_pool2d
  concat(g, h)
  dropout(0.25)
  reshape([4, 8])
  layernorm
  flatten
  dense(3)
  softmax
}`,
  `model Tokens {
  input ids: int32[6]
  x = embedding(50, 8)
  p = position_embedding(6)
  add(x, p)
  attention(2, causal: true, dropout: 0.1)
  flatten
  dense(3, activation: softmax)
}`,
];

const TRAIN = "train { data: synthetic(samples: 32, classes: 3) loss: sparse_categorical_crossentropy }";

function compiled(text: string) {
  const result = compileSource(
    new SourceFile(
      "ops.model",
      `${text}\n${TRAIN.replace("train", `train ${/model (\w+)/.exec(text)![1]}`)}\n`,
    ),
  );
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { graph: result.graph!, training: result.training!, plan: result.plan! };
}

describe("every op through every backend", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("the fixtures hold every op of the table", () => {
    const used = new Set(MODELS.flatMap((m) => compiled(m).graph.nodes.map((n) => n.op)));
    expect([...OPS.keys()].filter((op) => !used.has(op))).toEqual([]);
  });

  it.each(MODELS.map((m) => [/model (\w+)/.exec(m)![1]!, m] as const))(
    "%s: the runtime builds and runs it; ts, torch and keras are emitted; the Python compiles",
    async (_, text) => {
      const input = { ...compiled(text), modelFile: "ops.model" };
      const model = buildModel(input.graph);
      const inputShape = model.inputs[0]!.shape.slice(1) as number[];
      const x =
        model.inputs[0]!.dtype === "int32"
          ? tf.zeros([2, ...inputShape], "int32")
          : tf.ones([2, ...inputShape]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, ...(input.graph.nodes.at(-1)!.outputShape ?? [])]);
      expect([...(await y.data())].every(Number.isFinite)).toBe(true);
      model.dispose();
      const ts = await emitTypeScript(input);
      for (const node of input.graph.nodes.filter((n) => n.op !== "input"))
        expect(ts, node.name).toContain(`name: ${JSON.stringify(node.name.replaceAll("/", "__"))}`);
      const python = [emitTorch(input), emitKeras(input)].map((r, i) => ({
        name: i === 0 ? "torch" : "keras",
        text: r.files[0]!.content as string,
      }));
      expect([...pyCompileAll(python)].filter(([, error]) => error !== "")).toEqual([]);
    },
  );
});
