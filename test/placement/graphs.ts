import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DiagnosticBag } from "../../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import type { Graph, IRNode } from "../../compiler/ir/graph.js";
import type { TrainingConfig } from "../../compiler/ir/config.js";
import type { PassContext } from "../../compiler/diagnostics/pass-context.js";
import { compileSource, type CompileOptions } from "../../compiler/pipeline.js";

const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples");

export const EXAMPLES = ["mnist", "cnn", "residual", "vgg16", "resnet50"] as const;

const span = { file: "test.model", start: 0, end: 0 };

/** A layer of a hand-built graph: op, inputs, per-sample output width, parameters and flops. */
export interface LayerSpec {
  readonly op: "input" | "dense" | "relu" | "flatten" | "add" | "conv2d" | "attention" | "layernorm";
  readonly attrs?: IRNode["attrs"];
  readonly inputs: readonly number[];
  readonly width: number;
  readonly params?: number;
  readonly flops?: number;
  readonly hints?: IRNode["hints"];
}

/** A graph with shapes, parameters and flops filled, as `infer-shapes` leaves it. */
export function handGraph(layers: readonly LayerSpec[]): Graph {
  const nodes: IRNode[] = layers.map((l, id) => ({
    id,
    name: `${l.op}_${id}`,
    op: l.op,
    attrs: l.attrs ?? {},
    inputs: l.inputs,
    outputShape: [l.width],
    dtype: "float32",
    params: { trainable: l.params ?? 0, nonTrainable: 0 },
    flops: l.flops ?? 0,
    activationBytes: l.width * 4,
    hints: l.hints ?? [],
    span,
    callSites: [],
  }));
  const used = new Set(layers.flatMap((l) => l.inputs));
  return {
    model: "Hand",
    span,
    nodes,
    inputs: [0],
    outputs: nodes.filter((n) => !used.has(n.id)).map((n) => n.id),
  };
}

/** A dense chain: input, then dense/relu/flatten layers of the given widths. */
export function denseLayer(inputs: number[], inWidth: number, width: number): LayerSpec {
  return { op: "dense", inputs, width, params: inWidth * width + width, flops: 2 * inWidth * width };
}

export function context(text = ""): PassContext {
  return { diagnostics: new DiagnosticBag(), source: new SourceFile("test.model", text) };
}

export const training: TrainingConfig = {
  optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  loss: "sparse_categorical_crossentropy",
  metrics: [],
  epochs: 1,
  batch: 64,
  validation: 0,
  seed: 0,
  spans: {},
};

export function compileExampleFile(name: string, options: CompileOptions = {}) {
  const path = join(EXAMPLES_DIR, `${name}.model`);
  return compileSource(new SourceFile(path, readFileSync(path, "utf8")), options);
}

export function compileModelText(text: string, options: CompileOptions = {}) {
  return compileSource(new SourceFile("test.model", text), options);
}
