import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKPOINT_WEIGHTS, LAYOUTS, pythonLayout } from "../../compiler/emit/torch/checkpoint-weights.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { OPS } from "../../compiler/ops/index.js";
import { fileHandler } from "../../runtime/checkpoint/index.js";
import { initBackend } from "../../runtime/index.js";
import { buildModel } from "../../runtime/model/index.js";
import { compiled, OP_MODELS } from "../ops/op-models.js";
import {
  expectSameWeights,
  kerasToTorch,
  readCheckpointWeights,
  readTorchWeights,
  toTorchLayout,
} from "../support/weights.js";
import { SYSTEM_PYTHON, torchMissing } from "./python.js";
import { finalLine, runRanks } from "./run-ranks.js";

/** Imports the program, builds its Model from a checkpoint (`load_keras_weights`) and prints its eval output. */
const FORWARD = [
  "import importlib.util, json, sys, torch",
  "spec = importlib.util.spec_from_file_location('program', sys.argv[1])",
  "program = importlib.util.module_from_spec(spec)",
  "spec.loader.exec_module(program)",
  "model = program.Model()",
  "program.load_keras_weights(model, sys.argv[2])",
  "model.eval()",
  "x = json.load(open(sys.argv[3]))",
  "t = torch.tensor(x['values'], dtype=torch.int64 if x['ints'] else torch.float32).reshape(x['shape'])",
  "with torch.no_grad():",
  "    print(json.dumps(model(t).reshape(-1).tolist()))",
].join("\n");

// As test/emit-python/torch-train.test.ts: off CI, a machine without Debian's torch skips the runs.
const missing = process.env.CI === "true" ? undefined : torchMissing();

describe("checkpoint weight names: one table (CHECKPOINT_WEIGHTS) for every op", () => {
  it("has a row for every op, and names each weight of an op once", () => {
    expect(Object.keys(CHECKPOINT_WEIGHTS).sort()).toEqual([...OPS.keys()].sort());
    for (const [op, weights] of Object.entries(CHECKPOINT_WEIGHTS)) {
      const names = weights.map((w) => w.keras);
      expect(new Set(names).size, op).toBe(names.length);
      expect(new Set(weights.map((w) => w.torch)).size, op).toBe(names.length);
    }
  });

  it("writes each layout as the lambda the program applies, and converts arrays the same way here", () => {
    expect(pythonLayout(LAYOUTS.same)).toBe("lambda k: k");
    expect(pythonLayout(LAYOUTS.dense)).toBe("lambda k: k.transpose(1, 0)");
    expect(pythonLayout(LAYOUTS.conv)).toBe("lambda k: k.transpose(3, 2, 0, 1)");
    expect(pythonLayout(LAYOUTS.depthwise)).toBe(
      "lambda k: k.transpose(2, 3, 0, 1).reshape(-1, 1, k.shape[0], k.shape[1])",
    );
    // [in 2, out 3] -> [out, in].
    expect(toTorchLayout(LAYOUTS.dense, { shape: [2, 3], values: [0, 1, 2, 3, 4, 5] })).toEqual({
      shape: [3, 2],
      values: Float64Array.from([0, 3, 1, 4, 2, 5]),
    });
    // A 1×2 depthwise kernel over 2 channels, multiplier 2: [kh, kw, in, m] -> [in * m, 1, kh, kw].
    const depthwise = toTorchLayout(LAYOUTS.depthwise, {
      shape: [1, 2, 2, 2],
      values: [0, 1, 2, 3, 4, 5, 6, 7],
    });
    expect(depthwise).toEqual({ shape: [4, 1, 1, 2], values: Float64Array.from([0, 4, 1, 5, 2, 6, 3, 7]) });
  });
});

describe.skipIf(missing !== undefined)(
  "every op's weights from an mgpuc checkpoint into the torch program",
  () => {
    beforeAll(async () => {
      await initBackend("wasm");
    });

    it.each(OP_MODELS.map((m) => [/model (\w+)/.exec(m)![1]!, m] as const))(
      "%s: --init-from loads every weight, converted as the table says, and writes it back by the same name",
      async (_, text) => {
        const input = compiled(text);
        const dir = mkdtempSync(join(tmpdir(), "mgpuc-ckpt-"));
        // Every weight distinct and nonzero (a bias or beta left at zero, a gamma at one, would hide a swap);
        // moving variances positive.
        const model = buildModel(input.graph);
        model.setWeights(
          model.weights.map((w, i) =>
            w.originalName.endsWith("moving_variance")
              ? tf.randomUniform(w.shape as number[], 0.5, 1.5, "float32", i + 1)
              : tf.randomUniform(w.shape as number[], -0.5, 0.5, "float32", i + 1),
          ),
        );
        await model.save(fileHandler(join(dir, "checkpoint")));
        // The same two samples through the runtime's model and the program's: the layouts are right only if the
        // layers compute the same function from the converted weights.
        const inputShape = model.inputs[0]!.shape.slice(1) as number[];
        const ints = model.inputs[0]!.dtype === "int32";
        const x = ints
          ? tf.randomUniform([2, ...inputShape], 0, 50, "int32", 7)
          : tf.randomUniform([2, ...inputShape], -1, 1, "float32", 7);
        const expected = [...(await (model.predict(x) as tf.Tensor).data())];
        writeFileSync(
          join(dir, "x.json"),
          JSON.stringify({ shape: x.shape, ints, values: [...(await x.data())] }),
        );
        model.dispose();
        const result = emitTorch({ ...input, modelFile: join(dir, "ops.model") });
        for (const file of result.files) writeFileSync(join(dir, file.path), file.content);
        const program = join(dir, result.files[0]!.path);

        const out = join(dir, "weights.json");
        const [run] = await runRanks(program, 1, ["--steps", "0", "--init-from", join(dir, "checkpoint")], {
          MGPUC_WEIGHTS_OUT: out,
        });
        expect(run!.code, run!.output).toBe(0);
        expect(finalLine(run!.output), run!.output).toBeDefined();
        const checkpoint = kerasToTorch(readCheckpointWeights(join(dir, "checkpoint")), input.graph);
        // float32 copied into float32: equal to the bit, every weight of every layer.
        expectSameWeights(readTorchWeights(out), checkpoint, 0, "the torch program vs the checkpoint");

        const forward = spawnSync(
          SYSTEM_PYTHON,
          ["-c", FORWARD, program, join(dir, "checkpoint"), join(dir, "x.json")],
          {
            encoding: "utf8",
          },
        );
        expect(forward.status, forward.stderr).toBe(0);
        const actual = JSON.parse(forward.stdout) as number[];
        expect(actual.length).toBe(expected.length);
        const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!)));
        expect(worst, "max |torch - tfjs| of the outputs").toBeLessThan(1e-4);
      },
      120_000,
    );
  },
);
