import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitTypeScript } from "../../compiler/emit/typescript/index.js";
import { compileSource, readSource } from "../../compiler/pipeline.js";
import { initBackend, trainModel } from "../../runtime/index.js";
import { buildModel } from "../../runtime/model/index.js";
import { programDir, REPO, runProgram } from "./program-dir.js";

const STEPS = 20;
const SEED = 5;
const DEVICES = 2;

// The emitted program and training through the runtime API directly, same seed, devices and steps, must end
// with the same weights: same layer names (so the same seeded initial weights), same data order, same steps.
describe("the emitted MNIST program", () => {
  it(`ends ${STEPS} steps with the weights_l2 of trainModel on the compiled graph`, async () => {
    const modelFile = join(REPO, "examples", "mnist.model");
    const result = compileSource(readSource(modelFile));
    const { graph, training, plan } = result;
    if (!graph || !training || !plan) throw new Error(`mnist.model: compile stopped after ${result.reached}`);

    const dir = programDir("emit-ts-same-weights");
    const file = join(dir, "mnist.ts");
    writeFileSync(file, await emitTypeScript({ graph, training, plan, modelFile }));
    const run = runProgram(dir, file, [
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

    await initBackend();
    const direct = await trainModel({
      model: buildModel(graph),
      modelName: graph.model,
      training,
      devices: DEVICES,
      steps: STEPS,
      seed: SEED,
      baseDir: REPO,
      out: () => {},
    });
    expect(programL2, run.output).toBe(direct.weightsL2.toPrecision(9));
  });
});
