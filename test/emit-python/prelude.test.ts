import { describe, expect, it } from "vitest";
import type { DataSource } from "../../compiler/ir/config.js";
import type { Graph } from "../../compiler/ir/graph.js";
import { emitKeras } from "../../compiler/emit/keras/index.js";
import type { EmitResult, PlanView, PythonEmitInput } from "../../compiler/emit/python/index.js";
import { applyGuards, PieceSelection, topLevelDefinitions } from "../../compiler/emit/python/prelude.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { torchPrelude } from "../../compiler/emit/torch/prelude.js";
import { kerasTrain } from "../../compiler/emit/keras/train-code.js";
import { DATA_PIECES } from "../../compiler/emit/python/prelude-data.js";
import { SETTINGS_PIECES } from "../../compiler/emit/python/settings-pieces.js";
import { OPS } from "../../compiler/ops/index.js";
import { compileSource } from "../../compiler/pipeline.js";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { allOps, plan, seedCnn, seedMlp, tokens, training } from "./fixtures.js";
import { pyCompileAll, undefinedGlobalsAll } from "./python.js";

describe("prelude pieces", () => {
  it("cuts a Python source into its top-level definitions, closing brackets and all", () => {
    const defs = topLevelDefinitions(
      'TABLE = {\n    "a": 1,\n}\n\n\nclass A:\n    x = 1\n\n\ndef f():\n    return A\n\n\nif __name__ == "__main__":\n    f()\n',
    );
    expect([...defs.keys()]).toEqual(["TABLE", "A", "f", "__main__"]);
    expect(defs.get("TABLE")).toBe('TABLE = {\n    "a": 1,\n}');
    expect(() => topLevelDefinitions("def f():\n    pass\nprint(1)\n")).toThrow(/defines nothing/);
  });

  it("keeps guarded lines by what the program carries, and starts a chain whose if was dropped", () => {
    const code = [
      "def f(m):",
      "    if a(m):  #? A",
      "        yield 1  #? A",
      "    elif b(m):  #? B",
      "        yield 2  #? B",
      "    elif c(m):  #? C",
      "        yield 3  #? C",
      "    yield 4  #? !A",
    ].join("\n");
    const only = (...keys: string[]) => applyGuards(code, (k) => keys.includes(k));
    expect(only("A", "C")).toBe("def f(m):\n    if a(m):\n        yield 1\n    elif c(m):\n        yield 3");
    expect(only("B", "C")).toBe(
      "def f(m):\n    if b(m):\n        yield 2\n    elif c(m):\n        yield 3\n    yield 4",
    );
  });

  it("takes what is asked and what that needs, in catalog order, and refuses names it does not know", () => {
    const { catalog } = torchPrelude(false);
    const dense = new PieceSelection(catalog, ["dense"]);
    expect(dense.keys()).toEqual(["ACTIVATIONS", "glorot_uniform", "LinearCore", "Layer", "dense"]);
    expect(dense.has("BatchNorm")).toBe(false);
    expect(() => dense.has("Batchnorm")).toThrow(/no piece named Batchnorm/);
    expect(() => new PieceSelection(catalog, ["RowParallel"])).toThrow(/needs RowParallel/);
  });

  it("declares what each piece uses: each piece with what it needs, alone, defines every name it reads", () => {
    // What the emitters write around the pieces: imports, settings, the model and its tables.
    const around = [
      "import argparse, csv, gzip, json, math, operator, os, struct, sys, time",
      "import numpy as np",
      "import torch, tensorflow as tf",
      "import torch.distributed as dist, torch.nn as nn, torch.nn.functional as F",
      "from torch.nn.parallel import DistributedDataParallel as DDP",
      "from torch.distributed.fsdp import FullyShardedDataParallel as FSDP",
      "from torch.distributed.optim import ZeroRedundancyOptimizer",
      "HERE = MNIST_FILES = DATA = VALIDATION = INPUT_SHAPE = INPUT_DTYPE = LOSS = INTEGER_LABELS = None",
      "ACCURACY = OPTIMIZER = EPOCHS = BATCH_SIZE = SEED = Model = build_model = None",
      "MODEL_PARALLEL = CHECKPOINT_LAYERS = CHECKPOINT_WEIGHTS = None",
      "",
    ].join("\n");
    const catalogs = {
      torch: torchPrelude(false).catalog,
      "torch fsdp": torchPrelude(true).catalog,
      keras: [...DATA_PIECES, ...kerasTrain(undefined, [28, 28]), ...SETTINGS_PIECES],
    };
    const alone = Object.entries(catalogs).flatMap(([name, catalog]) =>
      catalog.map((piece) => ({
        name: `${name}: ${piece.key}`,
        text: around + new PieceSelection(catalog, [piece.key]).render(catalog),
      })),
    );
    const undeclared = [...undefinedGlobalsAll(alone)].filter(([, names]) => names.length > 0);
    expect(undeclared, "piece: the names it uses without declaring the pieces that define them").toEqual([]);
  });
});

/** What a sample model around each op holds: its input and the op (a flatten and a softmax head follow). */
const IMAGE = "input image: [8, 8, 3]";
const OP_SAMPLES: Readonly<Record<string, readonly string[]>> = {
  dense: ["input x: [6]", "dense(4, activation: relu)"],
  conv2d: [IMAGE, "conv2d(4, kernel: 3, padding: same)"],
  depthwise_conv2d: [IMAGE, "depthwise_conv2d(kernel: 3)"],
  maxpool2d: [IMAGE, "maxpool2d(2)"],
  avgpool2d: [IMAGE, "avgpool2d(2, padding: same)"],
  global_avg_pool2d: [IMAGE, "global_avg_pool2d"],
  global_max_pool2d: [IMAGE, "global_max_pool2d"],
  zeropad2d: [IMAGE, "zeropad2d(1)"],
  batchnorm: [IMAGE, "batchnorm"],
  layernorm: [IMAGE, "layernorm"],
  dropout: [IMAGE, "dropout(0.5)"],
  flatten: [IMAGE, "flatten"],
  reshape: [IMAGE, "reshape([64, 3])"],
  relu: [IMAGE, "relu"],
  sigmoid: [IMAGE, "sigmoid"],
  tanh: [IMAGE, "tanh"],
  softmax: [IMAGE, "softmax"],
  gelu: [IMAGE, "gelu"],
  add: [IMAGE, "a = relu", "add(a, image)"],
  multiply: [IMAGE, "a = sigmoid", "multiply(a, image)"],
  concat: [IMAGE, "a = tanh", "concat(a, image)"],
  embedding: ["input tokens: int32[5]", "embedding(20, 4)"],
  attention: ["input tokens: int32[5]", "embedding(20, 4)", "attention(2, causal: true, dropout: 0.1)"],
  position_embedding: [
    "input tokens: int32[5]",
    "x = embedding(20, 4)",
    "p = position_embedding(8)",
    "add(x, p)",
  ],
};

/** A `.model` file around one op, training on synthetic data. */
function opSource(op: string): string {
  return [
    "model One {",
    ...OP_SAMPLES[op]!.map((l) => `  ${l}`),
    "  flatten",
    "  dense(3, activation: softmax)",
    "}",
    "train One {",
    "  data: synthetic(samples: 32, classes: 3)",
    "  loss: sparse_categorical_crossentropy",
    "  metrics: [accuracy]",
    "  batch: 8",
    "}",
  ].join("\n");
}

function compileOp(op: string): { graph: Graph; input: PythonEmitInput } {
  const result = compileSource(new SourceFile(`${op}.model`, opSource(op)));
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors, `${op}: ${JSON.stringify(errors)}`).toEqual([]);
  const { graph, training: settings } = result;
  if (!graph || !settings) throw new Error(`${op}: compile stopped after ${result.reached}`);
  return { graph, input: { graph, training: settings, plan: plan(graph, 2), modelFile: `${op}.model` } };
}

/** The plan kinds a program can be written for, over a graph whose splittable layers are `split`. */
function plans(graph: Graph, split: readonly string[]): Record<string, PlanView> {
  const degrees = (d: number) => Object.fromEntries(split.map((n) => [n, d]));
  const data = plan(graph, 2);
  return {
    data,
    model: plan(graph, 2, degrees(2)),
    hybrid: plan(graph, 4, degrees(2)),
    pipeline: {
      ...data,
      layers: data.layers.map((l, i) => ({ ...l, placement: { ...l.placement, stage: i < 2 ? 0 : 1 } })),
    },
    "sharded data": { ...data, shardParameters: true },
    "sharded hybrid": { ...plan(graph, 4, degrees(2)), shardParameters: true },
  };
}

const SOURCES: Record<DataSource["kind"], DataSource> = {
  mnist: { kind: "mnist" },
  idx: { kind: "idx", images: "images.gz", labels: "labels.gz" },
  csv: { kind: "csv", path: "data.csv", label: "y" },
  text: { kind: "text", path: "book.txt", block: 6 },
  moby_dick: { kind: "moby_dick", block: 6 },
  synthetic: { kind: "synthetic", samples: 64, classes: 10 },
};

function program(result: EmitResult): string {
  const text = result.files[0]?.content;
  if (typeof text !== "string") throw new Error("no program");
  return text;
}

/** Every program below, torch and keras, emitted once. */
function programs(): { name: string; text: string }[] {
  const inputs: { name: string; input: PythonEmitInput }[] = [];
  for (const op of Object.keys(OP_SAMPLES)) {
    const { graph, input } = compileOp(op);
    const split = graph.nodes
      .filter((n) => n.op === op && (op === "dense" || op === "conv2d"))
      .map((n) => n.name);
    for (const [kind, p] of Object.entries(plans(graph, split)))
      inputs.push({ name: `${op}, ${kind}`, input: { ...input, plan: p } });
  }
  for (const [kind, data] of Object.entries(SOURCES)) {
    const base = { graph: seedMlp, plan: plan(seedMlp, 2), modelFile: "mlp.model" };
    inputs.push({ name: `data ${kind}`, input: { ...base, training: training({ data }) } });
    const validation = SOURCES[kind === "csv" ? "idx" : "csv"];
    inputs.push({
      name: `data ${kind}, validation`,
      input: { ...base, training: training({ data, validation }) },
    });
  }
  inputs.push({
    name: "no data",
    input: {
      graph: seedMlp,
      plan: plan(seedMlp, 1),
      modelFile: "m.model",
      training: training({ data: undefined }),
    },
  });
  for (const optimizer of [
    { kind: "sgd", lr: 0.1, momentum: 0, nesterov: false },
    { kind: "rmsprop", lr: 0.1, rho: 0.9, epsilon: 1e-7 },
    { kind: "adagrad", lr: 0.1, initialAccumulator: 0.1 },
  ] as const) {
    inputs.push({
      name: `optimizer ${optimizer.kind}`,
      input: {
        graph: seedMlp,
        plan: plan(seedMlp, 2),
        modelFile: "m.model",
        training: training({ optimizer }),
      },
    });
  }
  for (const [name, graph] of Object.entries({ allOps, seedCnn, tokens })) {
    const split = graph.nodes.filter((n) => n.op === "dense" || n.op === "conv2d").map((n) => n.name);
    for (const [kind, p] of Object.entries(plans(graph, split)))
      inputs.push({
        name: `${name}, ${kind}`,
        input: {
          graph,
          plan: p,
          modelFile: "m.model",
          training: training({ target: name === "tokens" ? "input" : undefined }),
        },
      });
  }
  return inputs.flatMap(({ name, input }) => [
    { name: `${name} (torch)`, text: program(emitTorch(input)) },
    { name: `${name} (keras)`, text: program(emitKeras(input)) },
  ]);
}

describe("every emitted program carries what it uses", () => {
  const all = programs();

  it("covers every op (a new op needs a sample model above), data source kind and plan kind", () => {
    expect([...OPS.keys()].filter((op) => !Object.hasOwn(OP_SAMPLES, op))).toEqual([]);
    expect(all.length).toBeGreaterThan(2 * 6 * Object.keys(OP_SAMPLES).length);
  });

  it("compiles (python3 -m py_compile)", () => {
    const errors = [...pyCompileAll(all)].filter(([, error]) => error !== "");
    expect(errors).toEqual([]);
  });

  it("defines every module-level name it references (Python's symbol tables)", () => {
    const undefinedNames = [...undefinedGlobalsAll(all)].filter(([, names]) => names.length > 0);
    expect(undefinedNames).toEqual([]);
  });

  it("carries no prelude piece its model, data and plan do not need", () => {
    const mlp = all.find((p) => p.name === "dense, data (torch)")!.text;
    for (const unused of [
      "class ModelParallel",
      "class Pool2d",
      "class BatchNorm",
      "def read_csv",
      "def read_idx",
      "class Dropout",
      "class Batch:",
      "import csv",
      "MODEL_PARALLEL",
    ])
      expect(mlp).not.toContain(unused);
    const split = all.find((p) => p.name === "dense, model (torch)")!.text;
    expect(split).toContain("class ModelParallel");
    expect(split).toContain("    split_model_parallel(model)\n");
    const keras = all.find((p) => p.name === "data mnist (keras)")!.text;
    for (const unused of ["def read_csv", "def load_training_data", "import csv", "SGD", "Adagrad"])
      expect(keras).not.toContain(unused);
  });
});
