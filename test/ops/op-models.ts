import { expect } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { compileSource } from "../../compiler/pipeline.js";

/**
 * Models that together hold every op of the table (test/ops/every-backend.test.ts checks it), with and without
 * the weights `use_bias: false` leaves out.
 */
export const OP_MODELS = [
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
  `model NoBias {
  input x: [8, 8, 3]
  conv2d(4, kernel: 3, use_bias: false)
  depthwise_conv2d(kernel: 3, use_bias: false)
  reshape([16, 4])
  attention(2, use_bias: false)
  flatten
  dense(3, use_bias: false)
}`,
];

const TRAIN = "train { data: synthetic(samples: 32, classes: 3) loss: sparse_categorical_crossentropy }";

/** A model of `OP_MODELS`, compiled with a synthetic-data train section: its graph, settings and plan. */
export function compiled(text: string) {
  const result = compileSource(
    new SourceFile(
      "ops.model",
      `${text}\n${TRAIN.replace("train", `train ${/model (\w+)/.exec(text)![1]}`)}\n`,
    ),
  );
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { graph: result.graph!, training: result.training!, plan: result.plan! };
}
