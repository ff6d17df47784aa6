import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitTypeScript } from "../../compiler/emit/typescript/index.js";
import { compileSource, readSource } from "../../compiler/pipeline.js";
import { initBackend, trainModel } from "../../runtime/index.js";
import { buildModel } from "../../runtime/model/index.js";
import { expectSameWeights, readCheckpointWeights } from "../support/weights.js";
import { programDir, REPO, runProgram } from "./program-dir.js";

const STEPS = 20;
const SEED = 5;
const DEVICES = 2;

// The emitted program and training through the runtime API directly, same seed, devices and steps, must end
// with the same weights: same layer names (so the same seeded initial weights), same data order, same steps.
// Both save a checkpoint, compared tensor by tensor: the same code on the same data, so equal to the bit.
describe("the emitted MNIST program", () => {
  it(`ends ${STEPS} steps with every weight of trainModel on the compiled graph`, async () => {
    const modelFile = join(REPO, "examples", "mnist.model");
    const result = compileSource(readSource(modelFile));
    const { graph, training, plan } = result;
    if (!graph || !training || !plan) throw new Error(`mnist.model: compile stopped after ${result.reached}`);

    const dir = programDir("emit-ts-same-weights");
    const file = join(dir, "mnist.ts");
    const programSave = join(dir, "program-run");
    // The program has no --save flag: its trainModel call is given a checkpoint folder, nothing else changes.
    const text = await emitTypeScript({ graph, training, plan, modelFile });
    const call = "    model: buildModel(),\n";
    expect(text).toContain(call);
    writeFileSync(file, text.replace(call, `${call}    saveDir: ${JSON.stringify(programSave)},\n`));
    const run = await runProgram(dir, file, [
      "--steps",
      String(STEPS),
      "--seed",
      String(SEED),
      "--devices",
      String(DEVICES),
    ]);
    expect(run.status, run.output).toBe(0);
    const lines = run.output.trim().split("\n");
    const programL2 = /^final: .* weights_l2=(\S+)$/.exec(lines[lines.length - 1] ?? "")?.[1];
    expect(programL2, `no final line:\n${run.output}`).toBeDefined();

    await initBackend();
    const directSave = join(dir, "direct-run");
    const direct = await trainModel({
      model: buildModel(graph),
      modelName: graph.model,
      training,
      devices: DEVICES,
      steps: STEPS,
      seed: SEED,
      baseDir: REPO,
      saveDir: directSave,
      out: () => {},
    });
    expectSameWeights(
      readCheckpointWeights(programSave),
      readCheckpointWeights(directSave),
      0,
      "program vs trainModel",
    );
    expect(programL2, run.output).toBe(direct.weightsL2.toPrecision(9));
  });
});
