import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { emitKeras } from "../../compiler/emit/keras/index.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { emitTypeScript } from "../../compiler/emit/typescript/index.js";
import { compileSource } from "../../compiler/pipeline.js";
import { initBackend } from "../../runtime/index.js";
import { buildModel } from "../../runtime/model/index.js";
import { pyCompileAll, SYSTEM_PYTHON, torchMissing } from "../emit-python/python.js";
import { runCliAsync as runCli } from "../support/spawn-cli.js";
import { spawnSync } from "node:child_process";

/**
 * Names are data (issue 14): a user may call a model, an input, a block, a parameter or a layer anything the
 * language allows, including names that are properties of every JavaScript object (`constructor`, `__proto__`,
 * `toString`), JavaScript or Python keywords and builtins (`await`, `None`, `self`) and the names the emitted
 * programs import (`tf`, `torch`). Before the fix, a layer named `toString` failed every device at step 1 inside
 * tfjs's own model rebuilding ("unprocessedNodes[layer.name].push is not a function").
 */
const RESERVED = [
  "constructor",
  "__proto__",
  "toString",
  "prototype",
  "hasOwnProperty",
  "valueOf",
  "await",
  "None",
  "self",
  "tf",
  "torch",
  "np",
  "model",
  "x",
] as const;

/** The roles a name plays in `modelText`; bindings in one scope must differ, as must block and model. */
interface Names {
  readonly model: string;
  readonly input: string;
  readonly block: string;
  readonly param: string;
  readonly value: string;
  readonly inner: readonly [string, string, string];
  readonly outer: readonly [string, string, string];
}

function modelText(n: Names): string {
  return `block ${n.block}(${n.param}, ${n.value}: int) {
  ${n.inner[0]} = dense(${n.value}, activation: relu)
  ${n.inner[1]} = dense(${n.value})
  ${n.inner[2]} = add(${n.inner[0]}, ${n.inner[1]})
  ${n.inner[2]}
}
model ${n.model} {
  input ${n.input}: [28, 28]
  flatten
  ${n.outer[0]} = dense(16, activation: relu)
  ${n.outer[1]} = ${n.block}(${n.outer[0]}, 16)
  ${n.outer[2]} = dense(10, activation: softmax)
}
train ${n.model} {
  data: mnist
  loss: sparse_categorical_crossentropy
  optimizer: adam
  metrics: [accuracy]
  batch: 32
  seed: 4
}
`;
}

const name = fc.constantFrom(...RESERVED);
const three = fc.uniqueArray(name, { minLength: 3, maxLength: 3 }) as fc.Arbitrary<[string, string, string]>;
const names: fc.Arbitrary<Names> = fc
  .record({
    model: name,
    input: name,
    block: name,
    param: name,
    value: name,
    inner: three,
    outer: three,
  })
  // A block's tensor and value parameters are one scope with its bindings; the block and the model share the
  // file's namespace; a binding must not shadow the block it calls.
  .filter(
    (n) =>
      n.block !== n.model &&
      new Set([n.param, n.value, ...n.inner]).size === 5 &&
      !n.outer.includes(n.block) &&
      !n.outer.includes(n.input) &&
      !n.inner.includes(n.block),
  );

const FIXED: Names = {
  model: "constructor",
  input: "__proto__",
  block: "prototype",
  param: "await",
  value: "valueOf",
  inner: ["hasOwnProperty", "tf", "torch"],
  outer: ["toString", "None", "self"],
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("reserved names compile, build, rebuild and emit", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("any assignment of reserved names to model, input, block, parameters and layers", async () => {
    const python: { name: string; text: string }[] = [];
    await fc.assert(
      fc.asyncProperty(names, async (n) => {
        const source = new SourceFile("names.model", modelText(n));
        const { graph, training, plan, diagnostics } = compileSource(source);
        expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        // What every device, checkpoint load and tf.loadLayersModel does: rebuild the model from its config.
        const model = buildModel(graph!);
        const rebuilt = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
        expect(rebuilt.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
        expect(rebuilt.countParams()).toBe(model.countParams());
        model.dispose();
        rebuilt.dispose();
        const input = { graph: graph!, training: training!, plan: plan!, modelFile: "names.model" };
        const ts = await emitTypeScript(input);
        expect(ts).toContain("buildModel");
        for (const [kind, emit] of [
          ["torch", emitTorch],
          ["keras", emitKeras],
        ] as const) {
          const text = emit(input).files[0]!.content;
          python.push({ name: `${kind}: ${JSON.stringify(n)}`, text: text as string });
        }
      }),
      { numRuns: 12, seed: 14 },
    );
    const errors = [...pyCompileAll(python)].filter(([, error]) => error !== "");
    expect(errors).toEqual([]);
  }, 120_000);
});

describe("mgpuc on a model whose every name is reserved", () => {
  let dir = "";
  let model = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mgpuc-names-"));
    dirs.push(dir);
    model = join(dir, "names.model");
    writeFileSync(model, modelText(FIXED));
  });

  const l2 = (stdout: string) => /final: .*weights_l2=(\S+)/.exec(stdout)?.[1];

  it("trains on 1 and 2 devices, data and model parallel, threads and processes, alike; resumes; evaluates", async () => {
    const run = join(dir, "run");
    const straight = await runCli(["train", model, "--steps", "6", "--devices", "1", "--no-save"]);
    expect(straight.code, straight.stderr).toBe(0);
    const expected = l2(straight.stdout);
    expect(expected).toMatch(/^\d+\.\d+$/);
    const first = await runCli(["train", model, "--steps", "3", "--devices", "2", "--save", run]);
    expect(first.code, first.stderr).toBe(0);
    const resumed = await runCli([
      "train",
      model,
      "--steps",
      "6",
      "--devices",
      "2",
      "--resume",
      run,
      "--save",
      run,
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const split = await runCli([
      ...["train", model, "--steps", "6", "--devices", "2", "--no-save"],
      ...["--strategy", "model", "--transport", "process"],
    ]);
    expect(split.code, split.stderr).toBe(0);
    // float32 sums in another order: equal to 8 of the 9 significant digits printed.
    for (const other of [resumed, split]) expect(Number(l2(other.stdout))).toBeCloseTo(Number(expected), 5);
    const evaluated = await runCli(["evaluate", run, "--data", "mnist"]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/^evaluate: loss=\d/m);
  }, 240_000);

  it.skipIf(torchMissing() !== undefined && process.env.CI !== "true")(
    "the emitted torch program trains",
    async () => {
      const program = join(dir, "names.py");
      const emitted = await runCli([model, "--emit", "torch", "-o", program]);
      expect(emitted.code, emitted.stderr).toBe(0);
      const r = spawnSync(SYSTEM_PYTHON, [program, "--steps", "2"], { encoding: "utf8", timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^final: loss=\d/m);
    },
    120_000,
  );
});
