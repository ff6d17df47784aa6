import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { emitKeras } from "../../compiler/emit/keras/index.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { checkpointWeights } from "../../compiler/emit/torch/checkpoint-weights.js";
import { emitTypeScript } from "../../compiler/emit/typescript/index.js";
import { tfjsLayerName } from "../../compiler/ir/tfjs-layer-names.js";
import { OPS } from "../../compiler/ops/index.js";
import { initBackend } from "../../runtime/index.js";
import { buildModel } from "../../runtime/model/index.js";
import { pyCompileAll } from "../emit-python/python.js";
import { compiled, OP_MODELS } from "./op-models.js";

/**
 * Every op of the table through every backend (issue 14): the tfjs runtime builds and runs it, and the
 * TypeScript, PyTorch and Keras programs are emitted and (the Python ones) compile, and the runtime's weights
 * of each layer are those the checkpoint-names table (`CHECKPOINT_WEIGHTS`) gives its op, in order. The backends'
 * tables are declared `satisfies Record<OpName, ...>`, so a missing row is a type error; this checks the rows
 * work. test/emit-python/checkpoint-weights.test.ts loads each model's checkpoint into its torch program.
 */
describe("every op through every backend", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("the fixtures hold every op of the table", () => {
    const used = new Set(OP_MODELS.flatMap((m) => compiled(m).graph.nodes.map((n) => n.op)));
    expect([...OPS.keys()].filter((op) => !used.has(op))).toEqual([]);
  });

  it.each(OP_MODELS.map((m) => [/model (\w+)/.exec(m)![1]!, m] as const))(
    "%s: the runtime builds and runs it; ts, torch and keras are emitted; the Python compiles",
    async (_, text) => {
      const input = { ...compiled(text), modelFile: "ops.model" };
      const model = buildModel(input.graph);
      const inputShape = model.inputs[0]!.shape.slice(1) as number[];
      const x =
        model.inputs[0]!.dtype === "int32"
          ? tf.zeros([2, ...inputShape], "int32")
          : tf.ones([2, ...inputShape]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, ...(input.graph.nodes.at(-1)!.outputShape ?? [])]);
      expect([...(await y.data())].every(Number.isFinite)).toBe(true);
      // What an mgpuc checkpoint holds of each layer (its weights, by original name) is the table's rows.
      for (const node of input.graph.nodes.filter((n) => n.op !== "input")) {
        const name = tfjsLayerName(node.name);
        expect(
          model.getLayer(name).weights.map((w) => w.originalName),
          node.name,
        ).toEqual(checkpointWeights(node).map((w) => `${name}/${w.keras}`));
      }
      model.dispose();
      const ts = await emitTypeScript(input);
      for (const node of input.graph.nodes.filter((n) => n.op !== "input"))
        expect(ts, node.name).toContain(`name: ${JSON.stringify(node.name.replaceAll("/", "__"))}`);
      const python = [emitTorch(input), emitKeras(input)].map((r, i) => ({
        name: i === 0 ? "torch" : "keras",
        text: r.files[0]!.content as string,
      }));
      expect([...pyCompileAll(python)].filter(([, error]) => error !== "")).toEqual([]);
    },
  );
});
