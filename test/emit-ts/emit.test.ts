import { describe, expect, it } from "vitest";
import { emitTypeScript, tfjsLayerName } from "../../compiler/emit/typescript/index.js";
import {
  HOSTILE_PATH,
  hostile,
  hostileTraining,
  mlp,
  planFor,
  residual,
  training,
  twoCalls,
} from "./graphs.js";

const emit = (graph = mlp, train = training) =>
  emitTypeScript({ graph, training: train, plan: planFor(graph), modelFile: "/models/demo.model" });

describe("emitTypeScript", () => {
  it("is deterministic", async () => {
    expect(await emit(residual)).toBe(await emit(residual));
  });

  it("builds a chain with tf.sequential and branches with the functional API", async () => {
    const chain = await emit(mlp);
    expect(chain).toContain('tf.sequential({ name: "Mlp" })');
    expect(chain).toContain('tf.layers.flatten({ name: "flatten", inputShape: [28, 28] })');
    expect(chain).not.toContain("tf.model(");
    const branchy = await emit(residual);
    expect(branchy).toContain('tf.input({ name: "image", shape: [8, 8, 3] })');
    expect(branchy).toMatch(
      /tf\.layers\s*\.add\(\{ name: "residual__add" \}\)\s*\.apply\(\[residual_batchnorm, conv2d\]\)/,
    );
    expect(branchy).toContain('tf.model({ name: "TinyResNet", inputs: image, outputs: dense })');
  });

  it("makes a helper function of a block called twice the same way, with what differs as parameters", async () => {
    const text = await emit(twoCalls);
    expect(text).toMatch(
      /function blk\(prefix: string, x: tf\.SymbolicTensor, filters: number\): tf\.SymbolicTensor/,
    );
    expect(text).toContain("name: `${prefix}__conv2d`, filters, kernelSize: 3");
    expect(text).toContain('const blk_out = blk("blk", image, 4);');
    expect(text).toContain('const blk_1_out = blk("blk_1", blk_out, 8);');
    // The third call has other layers: it stays unrolled, under its name.
    expect(text).toContain('name: "blk_2__conv2d"');
  });

  it("names every layer as the runtime does", async () => {
    const text = await emit(residual);
    for (const node of residual.nodes)
      expect(text).toContain(`name: ${JSON.stringify(tfjsLayerName(node.name))}`);
  });

  it("writes Keras arguments that differ from tfjs defaults, and only those", async () => {
    const text = await emit(residual);
    expect(text).toContain('filters: 4, kernelSize: 3, padding: "same", activation: "relu"');
    expect(text).not.toContain("useBias");
    expect(text).not.toContain("strides");
  });

  it("carries the training settings, seed and epochs, and the plan's device count", async () => {
    const text = await emit(mlp);
    expect(text).toContain("seed: 7,");
    expect(text).toContain("epochs: 1,");
    expect(text).toContain('optimizer: { kind: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }');
    expect(text).toContain("devices: { count: 2, ");
    expect(text).toMatch(/await trainModel\(\{\s+model: buildModel\(\),/);
    expect(text).toContain("// Run:   npx tsx demo.ts");
  });

  it("asks for --data and --loss when the model has no train section", async () => {
    const { data: _data, loss: _loss, ...rest } = training;
    const text = await emit(mlp, rest);
    expect(text).toContain("flags.data ?? usage(");
    expect(text).toContain("flags.loss ?? usage(");
    expect(text).not.toContain("training.data");
  });

  it("renames reserved and colliding names, and never lets a name or path become code", async () => {
    const text = await emit(hostile, hostileTraining("/models"));
    const body = text.slice(text.indexOf("function buildModel"), text.indexOf("const training"));
    for (const renamed of [
      "data_",
      "await_",
      "constructor_",
      "__proto___",
      "tf_",
      "model_",
      "buildModel_",
      "class_",
    ])
      expect(body).toMatch(new RegExp(`const ${renamed} = `));
    expect(body).not.toMatch(/const (class|await|tf|model|data|constructor|__proto__) = /);
    expect(body).toContain('name: "l__proto__"');
    // The data source is one object literal whose strings evaluate back to exactly the path and label.
    const source = /^\s*data: (\{ kind: "csv".*\}),$/m.exec(text)?.[1] ?? "";
    expect(new Function(`return (${source});`)()).toEqual({
      kind: "csv",
      path: HOSTILE_PATH,
      label: 'y"`${1}`',
    });
    expect(text.split("process.exit(7)").length).toBe(2);
    // A layer called __proto__ stays an entry of the inline plan.
    expect(text).toMatch(/\["__proto__"\]: "data×2"/);
  });
});
