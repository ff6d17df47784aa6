import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { emitKeras } from "../../compiler/emit/keras/index.js";
import { MNIST_IMAGES_FILE, MNIST_LABELS_FILE } from "../../compiler/emit/python/index.js";
import type { EmitResult, PythonEmitInput } from "../../compiler/emit/python/index.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { uniqueIdentifiers } from "../../compiler/emit/python/identifiers.js";
import { layerLayout } from "../../compiler/plan/layer-layout.js";
import { allOps, pairedMlp, plan, seedCnn, seedMlp, training } from "./fixtures.js";

const mlp: PythonEmitInput = {
  graph: seedMlp,
  training: training(),
  plan: plan(seedMlp, 2),
  modelFile: "mnist.model",
};

function text(result: EmitResult): string {
  const content = result.files[0]?.content;
  if (typeof content !== "string") throw new Error("no program");
  return content;
}

function bytes(result: EmitResult, path: string): Buffer {
  const file = result.files.find((f) => f.path === path);
  if (!file || typeof file.content === "string") throw new Error(`no binary ${path}`);
  return Buffer.from(file.content);
}

describe("emitTorch", () => {
  it("is deterministic, program and data files alike", () => {
    const a = emitTorch(mlp);
    const b = emitTorch(mlp);
    expect(text(a)).toBe(text(b));
    expect(a.files.map((f) => f.path)).toEqual(["mnist.py", MNIST_IMAGES_FILE, MNIST_LABELS_FILE]);
    expect(bytes(a, MNIST_IMAGES_FILE).equals(bytes(b, MNIST_IMAGES_FILE))).toBe(true);
  });

  it("uses DDP for a data-parallel plan and never imports FSDP unless the plan shards parameters", () => {
    const ddp = text(emitTorch(mlp));
    expect(ddp).toContain("return DDP(model");
    expect(ddp).not.toContain("import FullyShardedDataParallel");
    const sharded = text(emitTorch({ ...mlp, plan: { ...mlp.plan, shardParameters: true } }));
    expect(sharded).toContain("from torch.distributed.fsdp import FullyShardedDataParallel as FSDP");
    expect(sharded).toContain("return FSDP(model");
    // 101,770 parameters x 16 bytes (weights, gradients, two Adam moments) do not fit in 1 MB.
    const tight = text(emitTorch({ ...mlp, plan: { ...mlp.plan, devices: { count: 2, memoryBytes: 1e6 } } }));
    expect(tight).toContain("import FullyShardedDataParallel");
  });

  it("splits the plan's model-parallel dense and conv2d layers after building them whole", () => {
    const program = text(
      emitTorch({ ...mlp, graph: seedCnn, plan: plan(seedCnn, 2, { class: 2, lambda: 2 }) }),
    );
    expect(program).toContain('self.lambda_ = dense(392, 32, use_bias=True, activation="relu")');
    expect(program).toContain(
      'MODEL_PARALLEL = {\n    "class_": (2, "column"),\n    "lambda_": (2, "column"),\n}',
    );
    expect(program).toContain(
      'CHECKPOINT_LAYERS = {\n    "class_": ("class", "conv2d"),\n    "block_batchnorm": ("block__batchnorm", "batchnorm"),',
    );
    // A plan with no model-parallel layer carries neither the table nor the code that splits layers.
    const whole = text(emitTorch(mlp));
    expect(whole).not.toContain("MODEL_PARALLEL");
    expect(whole).not.toContain("ModelParallel");
  });

  it("cuts exactly the layers the runtime cuts, the way it cuts them", () => {
    // Back-to-back dense layers are Megatron's pair, as the plan prices them and the tfjs runtime runs them:
    // the first column-parallel (units), the second row-parallel (input features, partial sums all-reduced).
    const paired = plan(pairedMlp, 2, { hidden: 2, logits: 2 });
    const program = text(emitTorch({ ...mlp, graph: pairedMlp, plan: paired }));
    expect(program).toContain(
      'MODEL_PARALLEL = {\n    "hidden": (2, "column"),\n    "logits": (2, "row"),\n}',
    );
    expect(program).toContain(
      "hidden: model-parallel over 2 ranks (column-parallel: units split, outputs all-gathered).",
    );
    expect(program).toContain(
      "logits: model-parallel over 2 ranks (row-parallel: input features split, partial sums all-reduced).",
    );
    // Every layer of the CNN under model degree 2: the runtime's roles and the program's table agree layer by
    // layer (batchnorm, activations and pooling run on channel blocks without weights cut).
    const everyLayer = Object.fromEntries(
      seedCnn.nodes.filter((n) => n.op !== "input").map((n) => [n.name, 2]),
    );
    const cnnPlan = plan(seedCnn, 2, everyLayer);
    const table = text(emitTorch({ ...mlp, graph: seedCnn, plan: cnnPlan }));
    const listed = [
      ...(/MODEL_PARALLEL = \{\n([^}]*)\}/.exec(table)?.[1] ?? "").matchAll(/"([^"]+)": \(2, "(\w+)"\),/g),
    ].map((m) => `${m[1]} ${m[2]}`);
    const ids = uniqueIdentifiers(seedCnn.nodes.map((n) => n.name));
    const nodeOf = new Map(seedCnn.nodes.map((n) => [n.name, n]));
    // The rule the runtime's roles read (runtime/plan-exec/stage-layout.ts).
    const runtimeCuts = cnnPlan.layers.flatMap((l) => {
      const n = nodeOf.get(l.name)!;
      const { mode } = layerLayout({ op: n.op, attrs: n.attrs, placement: l.placement });
      return mode === "column" || mode === "row" || mode === "heads" ? [`${ids.get(l.name)!} ${mode}`] : [];
    });
    expect(runtimeCuts.length).toBeGreaterThan(1);
    expect(runtimeCuts.some((c) => c.endsWith(" row"))).toBe(true);
    expect(listed.sort()).toEqual(runtimeCuts.sort());
  });

  it("renames Python keywords and block paths, and keeps channels-last order for flatten", () => {
    const program = text(emitTorch({ ...mlp, graph: seedCnn }));
    expect(program).toContain("class_ = self.class_(image)");
    expect(program).toContain("block_batchnorm = self.block_batchnorm(class_)");
    expect(program).toContain("None_ = self.None_(block_batchnorm)");
    expect(program).toContain("flatten = None_.reshape(None_.shape[0], -1)");
    // Keras's 'same' with stride 2 on 28 rows pads 0 above and 1 below: (left, right, top, bottom).
    expect(program).toContain("pads=(0, 1, 0, 1)");
  });

  it("writes the plan's settings: Keras's Adam epsilon, the global batch, the seed", () => {
    const program = text(emitTorch(mlp));
    expect(program).toContain(
      'OPTIMIZER = {"kind": "adam", "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}',
    );
    expect(program).toContain("BATCH_SIZE = 64");
    expect(program).toContain("SEED = 42");
    expect(program).toContain("torchrun --standalone --nproc_per_node=2 mnist.py");
    expect(program).toContain("RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 python3 mnist.py");
  });

  it("says in the header when the plan's pipeline stages run as one", () => {
    const staged = plan(seedMlp, 2);
    const layers = staged.layers.map((l, i) => ({
      ...l,
      placement: { ...l.placement, stage: i < 2 ? 0 : 1 },
    }));
    expect(text(emitTorch({ ...mlp, plan: { ...staged, layers } }))).toContain(
      "pipeline stages run as one stage",
    );
  });
});

describe("the built-in digits beside the program", () => {
  it("are all 10,000 digits of the mnist package as IDX, interleaved by class", () => {
    const result = emitTorch(mlp);
    const images = gunzipSync(bytes(result, MNIST_IMAGES_FILE));
    const labels = gunzipSync(bytes(result, MNIST_LABELS_FILE));
    expect([
      images.readUInt32BE(0),
      images.readUInt32BE(4),
      images.readUInt32BE(8),
      images.readUInt32BE(12),
    ]).toEqual([0x803, 10000, 28, 28]);
    expect([labels.readUInt32BE(0), labels.readUInt32BE(4)]).toEqual([0x801, 10000]);
    expect(images.length).toBe(16 + 10000 * 784);
    expect([...labels.subarray(8, 20)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const digits = join(dirname(createRequire(import.meta.url).resolve("mnist")), "digits");
    const seven = (JSON.parse(readFileSync(join(digits, "7.json"), "utf8")) as { data: number[] }).data;
    const expected = seven.slice(784, 2 * 784).map((v) => Math.round(v * 255));
    // The second 7 is sample 10 + 7 in the interleaved order.
    expect([...images.subarray(16 + 17 * 784, 16 + 18 * 784)]).toEqual(expected);
  });

  it("are not written when the data is not the built-in mnist", () => {
    const synthetic = training({ data: { kind: "synthetic", samples: 10, classes: 2 } });
    expect(emitTorch({ ...mlp, training: synthetic }).files).toHaveLength(1);
    expect(emitKeras({ ...mlp, training: synthetic }).files).toHaveLength(1);
  });
});

describe("emitKeras", () => {
  it("writes a chain as tf.keras.Sequential inside strategy.scope(), in the seed's style", () => {
    const program = text(emitKeras(mlp));
    expect(program).toContain("return tf.keras.Sequential([");
    expect(program).toContain('tf.keras.layers.Dense(128, activation="relu", name="dense"),');
    expect(program).toContain('tf.keras.layers.Dropout(0.2, name="dropout"),');
    expect(program).toContain("return tf.distribute.MultiWorkerMirroredStrategy()");
    expect(program).toContain("return tf.distribute.MirroredStrategy()");
    expect(program).toMatch(/with strategy\.scope\(\):\n\s+model = build_model\(\)\n\s+model\.compile\(/);
  });

  it("adds the channel axis the CNN's input wants as the seed did, x_train[..., tf.newaxis]", () => {
    expect(text(emitKeras({ ...mlp, graph: seedCnn }))).toContain(
      "    # The data gives [28, 28] samples; the model's input is [28, 28, 1].\n    x_train = x_train[..., tf.newaxis]\n",
    );
    expect(text(emitKeras(mlp))).not.toContain("x_train = x_train[..., tf.newaxis]");
  });

  it("one-hots class ids under categorical cross-entropy, as the runtime does, and only then", () => {
    const categorical = text(emitKeras({ ...mlp, training: training({ loss: "categorical_crossentropy" }) }));
    // The seed MLP ends in dense(10): class ids become 10-way one-hot rows, for training and validation data.
    expect(categorical).toContain("        y_train = tf.keras.utils.to_categorical(y_train, 10)\n");
    expect(categorical).toContain("tf.keras.utils.to_categorical(y_val, 10))");
    expect(text(emitKeras(mlp))).not.toContain("to_categorical");
    const target = training({ loss: "mse", target: "input" });
    expect(text(emitKeras({ ...mlp, training: target }))).not.toContain("to_categorical");
  });

  it("writes branches with the functional API and synchronized batchnorm", () => {
    const program = text(emitKeras({ ...mlp, graph: allOps }));
    expect(program).toContain('mul = tf.keras.layers.Multiply(name="mul")([sig, tanh])');
    expect(program).toContain('return tf.keras.Model(inputs=image, outputs=softmax, name="AllOps")');
    expect(text(emitKeras({ ...mlp, graph: seedCnn }))).toContain(
      'tf.keras.layers.BatchNormalization(synchronized=True, name="block_batchnorm")',
    );
  });
});
