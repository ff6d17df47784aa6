import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { compileSource } from "../../compiler/pipeline.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { buildModel, context } from "../passes/build.js";
import { inferChain, inferOne } from "./infer-one.js";

/**
 * Keras `MultiHeadAttention(num_heads=h, key_dim=k, value_dim=v, use_bias=b)` on [T, d], counted from its four
 * EinsumDense projections (query/key [d, h, k], value [d, h, v], output [h, v, d]) — written out here
 * independently of the op file's formula.
 */
function kerasAttentionParams(d: number, h: number, k: number, v: number, bias: boolean): number {
  const query = d * h * k + (bias ? h * k : 0);
  const key = d * h * k + (bias ? h * k : 0);
  const value = d * h * v + (bias ? h * v : 0);
  const output = h * v * d + (bias ? d : 0);
  return query + key + value + output;
}

describe("attention against Keras MultiHeadAttention", () => {
  for (const [t, d, heads, kw] of [
    [16, 64, 4, {}],
    [1024, 768, 12, {}],
    [10, 30, 4, { key_dim: 8 }],
    [7, 12, 3, { key_dim: 5, value_dim: 2 }],
    [5, 32, 8, { use_bias: false }],
    [5, 32, 1, { causal: true, dropout: 0.1 }],
  ] as const) {
    it(`[${t}, ${d}] with ${heads} heads ${JSON.stringify(kw)}`, () => {
      const node = inferOne([t, d], "attention", [heads], kw);
      const k = "key_dim" in kw ? kw.key_dim : d / heads;
      const v = "value_dim" in kw ? kw.value_dim : k;
      const bias = !("use_bias" in kw) || kw.use_bias;
      expect(node.outputShape).toEqual([t, d]);
      expect(node.params).toEqual({ trainable: kerasAttentionParams(d, heads, k, v, bias), nonTrainable: 0 });
      // Every attr filled, key_dim and value_dim from the input's width when left out.
      expect(node.attrs).toEqual({
        heads,
        key_dim: k,
        value_dim: v,
        causal: "causal" in kw ? kw.causal : false,
        dropout: "dropout" in kw ? kw.dropout : 0,
        use_bias: bias,
      });
    });
  }

  it("counts the projections and the T×T products in its FLOPs", () => {
    const [t, d, h] = [128, 64, 4];
    const k = d / h;
    const node = inferOne([t, d], "attention", [h]);
    const projections = 2 * t * 4 * d * h * k;
    const products = 2 * (2 * t * t * h * k);
    expect(node.flops).toBeGreaterThan(projections + products);
    // Doubling T quadruples the products and doubles the rest.
    const twice = inferOne([2 * t, d], "attention", [h]);
    expect(twice.flops! - 2 * node.flops!).toBeCloseTo(2 * products + 3 * t * t * h * 2, -3);
  });

  it("keeps its [heads, T, T] scores and probabilities for backward: the memory model counts them", () => {
    const [t, d, h] = [1024, 768, 12];
    const node = inferOne([t, d], "attention", [h]);
    const k = d / h;
    expect(node.activationBytes).toBe(4 * t * d);
    expect(node.savedBytes).toBe(4 * (3 * t * h * k + 2 * h * t * t + t * h * k + t * d));
    // Per sample, GPT-2 small's scores alone are 12 × 1024² × 4 bytes × 2 (scores, probabilities) ≈ 100 MB.
    expect(node.savedBytes!).toBeGreaterThan(2 * h * t * t * 4);
  });

  it("runs position by position after dense, layernorm, dropout, activations and add on [T, d]", () => {
    const nodes = inferChain(
      [12],
      [
        { op: "embedding", pos: [50, 32] },
        { op: "layernorm" },
        { op: "attention", pos: [4], kw: { causal: true } },
        { op: "dropout", pos: [0.1] },
        { op: "dense", pos: [64], kw: { activation: "gelu" } },
        { op: "dense", pos: [50], kw: { activation: "softmax" } },
      ],
      "int32",
    );
    expect(nodes.map((n) => n.outputShape)).toEqual([
      [12],
      [12, 32],
      [12, 32],
      [12, 32],
      [12, 32],
      [12, 64],
      [12, 50],
    ]);
  });
});

describe("position_embedding against keras_hub PositionEmbedding", () => {
  it("gives [T, d] from a table of max_length · d weights", () => {
    const node = inferOne([64, 128], "position_embedding", [100]);
    expect(node.outputShape).toEqual([64, 128]);
    expect(node.params).toEqual({ trainable: 100 * 128, nonTrainable: 0 });
  });
});

function diagnose(shape: readonly number[], op: string, pos: number[], kw: Record<string, number> = {}) {
  const ctx = context();
  inferShapes(lower(buildModel(shape, [{ op, pos, kw }]), ctx), ctx);
  return ctx.diagnostics.items.map((d) => ({ code: d.code, message: d.message, hint: d.hint }));
}

describe("sequence layer diagnostics", () => {
  it("MG2023: heads that do not divide the width, with key_dim as the fix", () => {
    expect(diagnose([10, 100], "attention", [12])).toEqual([
      {
        code: "MG2023",
        message: "attention with 12 heads needs key_dim: its input's width 100 is not divisible by 12",
        hint: "give key_dim (for example key_dim: 8), or a number of heads that divides 100",
      },
    ]);
    expect(diagnose([10, 100], "attention", [12], { key_dim: 8 })).toEqual([]);
  });
  it("MG2022: attention and position_embedding need [positions, features]", () => {
    expect(diagnose([784], "attention", [4]).map((d) => d.code)).toEqual(["MG2022"]);
    expect(diagnose([8, 8, 3], "position_embedding", [8]).map((d) => d.message)).toEqual([
      "position_embedding expects [positions, features] per sample, got [8, 8, 3]",
    ]);
  });
  it("MG2024: a position table shorter than the sequence", () => {
    expect(diagnose([64, 16], "position_embedding", [32])).toEqual([
      {
        code: "MG2024",
        message: "position_embedding(max_length: 32) is shorter than its input's 64 positions",
        hint: "use max_length: 64 or more",
      },
    ]);
  });
});

describe("the transformer examples", () => {
  const root = join(import.meta.dirname, "..", "..", "examples");
  const compile = (file: string, flags: Record<string, unknown> = {}) =>
    compileSource(new SourceFile(file, readFileSync(join(root, file), "utf8")), flags);

  it("gpt2.model is GPT-2 small: 124,439,808 parameters, [1024, 768] through 12 blocks", () => {
    const { graph, diagnostics } = compile("gpt2.model");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const total = graph!.nodes.reduce((sum, n) => sum + (n.params?.trainable ?? 0), 0);
    expect(total).toBe(124_439_808);
    expect(graph!.nodes.filter((n) => n.op === "attention")).toHaveLength(12);
    expect(graph!.nodes.at(-1)!.outputShape).toEqual([1024, 768]);
  });

  it("tiny-gpt.model checks against Moby-Dick: 89 characters, per-position output [64, 89]", () => {
    const { graph, diagnostics } = compile("tiny-gpt.model");
    expect(diagnostics).toEqual([]);
    expect(graph!.nodes.at(-1)!.outputShape).toEqual([64, 89]);
  });
});
