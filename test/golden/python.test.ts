import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EmitResult, PythonEmitInput } from "../../compiler/emit/python/index.js";
import { emitKeras } from "../../compiler/emit/keras/index.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { compileSource, readSource } from "../../compiler/pipeline.js";
import { pyCompileAll } from "../emit-python/python.js";
import { allOps, plan, seedCnn, tokens, training } from "../emit-python/fixtures.js";
import { GOLDEN_DIR, GoldenFiles, STALE_HINT } from "../support/golden.js";

const EXAMPLES = join(GOLDEN_DIR, "..", "..", "examples");
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".model"))
  .sort();

const TARGETS = { torch: emitTorch, keras: emitKeras } as const;

function compileExample(file: string): PythonEmitInput {
  const modelFile = join(EXAMPLES, file);
  const result = compileSource(readSource(modelFile));
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors, JSON.stringify(errors)).toEqual([]);
  const { graph, training, plan } = result;
  if (!graph || !training || !plan) throw new Error(`${file}: compile stopped after ${result.reached}`);
  return { graph, training, plan, modelFile };
}

function program(result: EmitResult): string {
  const main = result.files[0]?.content;
  if (typeof main !== "string") throw new Error("the program must be the first file, as text");
  return main;
}

/** Hand-built graphs for what the examples do not reach: every op, odd names, FSDP, int32 tokens. */
const FIXTURES: Record<string, PythonEmitInput> = {
  "all-ops": {
    graph: allOps,
    training: training({ data: { kind: "synthetic", samples: 256, classes: 3 }, validation: 0 }),
    plan: plan(allOps, 4, { conv2d: 2, dense: 4 }),
    modelFile: "all-ops.model",
  },
  "keyword-names": {
    graph: seedCnn,
    training: training({ optimizer: { kind: "sgd", lr: 0.01, momentum: 0.9, nesterov: true } }),
    plan: { ...plan(seedCnn, 2, { class: 2 }), shardParameters: true },
    modelFile: "odd name's \"model\".model",
  },
  tokens: {
    graph: tokens,
    training: training({
      data: { kind: "csv", path: "/data/reviews.csv", label: "label" },
      loss: "binary_crossentropy",
      optimizer: { kind: "rmsprop", lr: 0.001, rho: 0.9, epsilon: 1e-7 },
      validation: { kind: "idx", images: "/data/val-images.gz", labels: "/data/val-labels.gz" },
    }),
    plan: plan(tokens, 1),
    modelFile: "/data/tokens.model",
  },
};

// `--emit torch` and `--emit keras` for every example, against test/golden/<example>/{torch,keras}.py, and for
// the fixtures against test/golden/python-fixtures/<case>.{torch,keras}.py (`npm run golden:update` rewrites).
const golden = new GoldenFiles("python");

describe("--emit torch and --emit keras goldens", () => {
  const emitted: { name: string; text: string }[] = [];

  it.each(examples)("%s", (file) => {
    const input = compileExample(file);
    for (const [target, emit] of Object.entries(TARGETS)) {
      const text = program(emit(input));
      golden.expect(join(GOLDEN_DIR, basename(file, ".model"), `${target}.py`), text);
      emitted.push({ name: `${file} ${target}`, text });
    }
  });

  it.each(Object.keys(FIXTURES))("fixture %s", (name) => {
    for (const [target, emit] of Object.entries(TARGETS)) {
      const text = program(emit(FIXTURES[name]!));
      golden.expect(join(GOLDEN_DIR, "python-fixtures", `${name}.${target}.py`), text);
      emitted.push({ name: `${name} ${target}`, text });
    }
  });

  it("every emitted program compiles (python3 -m py_compile)", () => {
    expect(emitted.length).toBe((examples.length + Object.keys(FIXTURES).length) * 2);
    const errors = [...pyCompileAll(emitted)].filter(([, error]) => error !== "");
    expect(errors).toEqual([]);
  });

  it("read every torch.py and keras.py (last: the examples and fixtures above ran first)", () => {
    expect(golden.unread(), STALE_HINT).toEqual([]);
  });
});
