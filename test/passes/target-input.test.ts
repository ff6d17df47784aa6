import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { emitKeras } from "../../compiler/emit/keras/index.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { trainingLiteral } from "../../compiler/emit/typescript/training-literal.js";
import { compileSource } from "../../compiler/pipeline.js";
import { trainingFromPlan } from "../../compiler/plan/from-plan.js";
import { loadPlan, isPlanLoadError } from "../../compiler/plan/index.js";
import { emitPlan } from "../../compiler/emit/plan.js";

const dir = mkdtempSync(join(tmpdir(), "mgpuc-target-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The autoencoder of the issue, with `target:` and its output's last layer as given. */
function autoencoder(target: string, last = "reshape([28, 28])", rest = "data: mnist\n  loss: mse"): string {
  return [
    "model Autoencoder {",
    "  input image: [28, 28]",
    "  flatten",
    "  dense(32, activation: relu)",
    "  dense(784, activation: sigmoid)",
    `  ${last}`,
    "}",
    "train Autoencoder {",
    `  ${rest}`,
    `  target: ${target}`,
    "}",
    "",
  ].join("\n");
}

function compile(text: string, stopAfter?: "check-data") {
  const source = new SourceFile(join(dir, "autoencoder.model"), text);
  const result = compileSource(source, stopAfter ? { stopAfter } : {});
  const at = (d: { span: { start: number; end: number } }) => text.slice(d.span.start, d.span.end);
  return { result, diagnostics: result.diagnostics.map((d) => ({ code: d.code, at: at(d), hint: d.hint })) };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("target: input", () => {
  it("resolves into the training settings, and an autoencoder shaped like its input checks clean", () => {
    const { result, diagnostics } = compile(autoencoder("input"), "check-data");
    expect(diagnostics).toEqual([]);
    expect(result.training?.target).toBe("input");
  });

  it("an unknown target gets a did-you-mean, a non-name a type error, both at the value", () => {
    expect(compile(autoencoder("inptu"), "check-data").diagnostics).toEqual([
      { code: "MG2201", at: "inptu", hint: "did you mean 'input'?" },
    ]);
    expect(compile(autoencoder("3"), "check-data").diagnostics.map((d) => [d.code, d.at])).toEqual([
      ["MG2202", "3"],
    ]);
  });

  it("MG2112: the output must be shaped like the input, at the target value, with the fix", () => {
    const flat = compile(autoencoder("input", "dense(784)"), "check-data");
    expect(flat.diagnostics).toEqual([
      { code: "MG2112", at: "input", hint: "end the model with `reshape([28, 28])`" },
    ]);
    const small = compile(autoencoder("input", "dense(10)"), "check-data");
    expect(small.diagnostics.map((d) => d.hint)).toEqual([
      "end the model with `dense(784)` and `reshape([28, 28])`",
    ]);
    expect(small.result.diagnostics[0]!.message).toBe(
      "`target: input` needs the output shaped like the input: output 'dense_2' has shape [10], input 'image' is [28, 28]",
    );
  });

  it("MG2113: sparse cross-entropy needs class labels, which the input is not", () => {
    const text = autoencoder(
      "input",
      "reshape([28, 28])",
      "data: mnist\n  loss: sparse_categorical_crossentropy",
    );
    expect(compile(text, "check-data").diagnostics.map((d) => [d.code, d.at])).toEqual([
      ["MG2113", "sparse_categorical_crossentropy"],
    ]);
  });

  it("does not read the labels: a CSV without a label column, an IDX label file that is not there", () => {
    const features = file("features.csv", "a,b,c,d\n1,2,3,4\n5,6,7,8\n");
    const model = (data: string) =>
      [
        "model Squeeze {",
        "  input x: [4]",
        "  dense(2, activation: relu)",
        "  dense(4)",
        "}",
        `train Squeeze { data: ${data} loss: mse target: input }`,
        "",
      ].join("\n");
    expect(compile(model(`csv(${JSON.stringify(features)})`), "check-data").diagnostics).toEqual([]);
    // Without `target: input` the same file lacks its label column (and dense(4) is no output for a label).
    const labelled = model(`csv(${JSON.stringify(features)})`).replace(" target: input", "");
    expect(compile(labelled, "check-data").diagnostics.map((d) => d.code)).toEqual(["MG2111", "MG2114"]);
    const images = file("images.idx", "");
    const idx = `idx(${JSON.stringify(images)}, ${JSON.stringify(join(dir, "no-labels.idx"))})`;
    const square = model(idx)
      .replace("x: [4]", "x: [2, 2]\n  flatten")
      .replace("dense(4)", "dense(4) -> reshape([2, 2])");
    writeFileSync(images, Buffer.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4]));
    expect(compile(square, "check-data").diagnostics).toEqual([]);
    expect(
      compile(square.replace(" target: input", ""), "check-data").diagnostics.map((d) => d.code),
    ).toContain("MG2204");
  });

  it("is recorded in the plan only when given, and read back from it", () => {
    const { result } = compile(autoencoder("input"));
    const plan = loadPlan(emitPlan(result.plan!));
    if (isPlanLoadError(plan)) throw new Error(plan.error);
    expect(plan.training.target).toBe("input");
    expect(trainingFromPlan(plan.training).target).toBe("input");
    const plain = compile(
      autoencoder("input").replace("  target: input\n", "").replace("reshape([28, 28])", "dense(1)"),
    );
    expect(plain.diagnostics).toEqual([]);
    expect("target" in plain.result.plan!.training).toBe(false);
  });

  it("the emitted programs train against the input: ts settings, keras fit(x, x), torch y = x", () => {
    const { result } = compile(autoencoder("input"));
    const input = {
      graph: result.graph!,
      training: result.training!,
      plan: result.plan!,
      modelFile: "ae.model",
    };
    expect(trainingLiteral(input.training, dir)["target"]).toBe("input");
    const main = (files: { files: readonly { content: string | Uint8Array }[] }) =>
      String(files.files[0]!.content);
    const keras = main(emitKeras(input));
    const torch = main(emitTorch(input));
    expect(keras).toContain("    y_train = x_train\n");
    expect(keras.indexOf("y_train = x_train")).toBeGreaterThan(
      keras.indexOf("fit_to_input(x_train, y_train)"),
    );
    expect(torch).toMatch(/x, y, x_val, y_val = load_training_data\(.*\)\n.*\n {4}y, y_val = x, x_val\n/);
    // Without `target:` neither program has those lines (and the example goldens stay as they are).
    const labelled = { ...input, training: { ...input.training, target: undefined } };
    expect(main(emitKeras(labelled))).not.toContain("y_train = x_train");
    expect(main(emitTorch(labelled))).not.toContain("y, y_val = x, x_val");
    expect("target" in trainingLiteral(labelled.training, dir)).toBe(false);
  });
});
