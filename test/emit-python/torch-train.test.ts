import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { plan, seedMlp, training } from "./fixtures.js";
import { torchMissing } from "./python.js";
import { finalLine, runRanks } from "./run-ranks.js";

const missing = torchMissing();
if (missing) console.warn(`skipping the torch training tests: ${missing}`);

/** Writes the emitted program and its data files to a fresh folder; returns the program's path. */
function writeProgram(modelDegrees: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-torch-"));
  const result = emitTorch({
    graph: seedMlp,
    training: training({ batch: 64 }),
    plan: plan(seedMlp, 2, modelDegrees),
    modelFile: "mnist.model",
  });
  for (const file of result.files) writeFileSync(join(dir, file.path), file.content);
  return join(dir, result.files[0]!.path);
}

/** weights_l2 rounded to 6 significant digits. */
const sig6 = (v: string | undefined) => Number(v).toPrecision(6);

describe.skipIf(missing !== undefined)("emitted torch program trains the seed MLP (gloo, CPU)", () => {
  let oneRank: Record<string, string> | undefined;

  beforeAll(async () => {
    const [only] = await runRanks(writeProgram({}), 1, ["--steps", "20"]);
    expect(only!.code, only!.output).toBe(0);
    oneRank = finalLine(only!.output);
  }, 120_000);

  it("ends 1 process with the final line of CLI.md, having learned", () => {
    expect(oneRank).toBeDefined();
    expect(Object.keys(oneRank!)).toEqual([
      "loss",
      "accuracy",
      "val_accuracy",
      "samples_per_s",
      "weights_l2",
    ]);
    expect(oneRank!.weights_l2).toMatch(/^\d+\.\d+$/);
    // 20 Adam steps of 64 digits take the loss well below chance's ln(10) = 2.303.
    expect(Number(oneRank!.loss)).toBeLessThan(2.1);
  });

  it("2 data-parallel processes (DDP) end with the same weights_l2 to 6 significant digits", async () => {
    const ranks = await runRanks(writeProgram({}), 2, ["--steps", "20"]);
    for (const r of ranks) expect(r.code, r.output).toBe(0);
    expect(finalLine(ranks[1]!.output), "only rank 0 prints the final line").toBeUndefined();
    const two = finalLine(ranks[0]!.output);
    expect(sig6(two?.weights_l2)).toBe(sig6(oneRank?.weights_l2));
    expect(two?.loss).toBe(oneRank?.loss);
  }, 120_000);

  it("2 processes with the hidden layer model-parallel (column-parallel over gloo) end the same", async () => {
    const ranks = await runRanks(writeProgram({ dense: 2 }), 2, ["--steps", "20"]);
    for (const r of ranks) expect(r.code, r.output).toBe(0);
    expect(sig6(finalLine(ranks[0]!.output)?.weights_l2)).toBe(sig6(oneRank?.weights_l2));
  }, 120_000);
});
