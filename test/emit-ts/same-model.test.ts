import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { emitTypeScript } from "../../compiler/emit/typescript/index.js";
import { compileSource, readSource } from "../../compiler/pipeline.js";
import { initBackend } from "../../runtime/index.js";
import { buildModel, initializeWeights } from "../../runtime/model/index.js";
import { programDir, REPO } from "./program-dir.js";

// VGG16 is left out only for its 138M parameters; it is a chain, the path mnist and cnn already take.
const EXAMPLES = ["mnist", "cnn", "residual", "resnet50"];
const SEED = 11;

/**
 * The emitted `buildModel()` (block helpers, sequential or functional) must build the model the runtime builds
 * from the IR: the same layers, names, wiring and weights. The program is loaded as a module with its `main()`
 * call cut off, so only its model code runs.
 */
async function emittedModel(
  name: string,
  dir: string,
): Promise<{ emitted: tf.LayersModel; runtime: tf.LayersModel }> {
  const modelFile = join(REPO, "examples", `${name}.model`);
  const result = compileSource(readSource(modelFile));
  const { graph, training, plan } = result;
  if (!graph || !training || !plan) throw new Error(`${name}.model: compile stopped after ${result.reached}`);
  const text = await emitTypeScript({ graph, training, plan, modelFile });
  const start = text.indexOf("main().catch(");
  expect(start).toBeGreaterThan(0);
  const module = `${text.slice(0, start).replace('from "mgpuc"', `from ${JSON.stringify(join(REPO, "index.ts"))}`)}\nexport { buildModel };\n`;
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, module);
  const loaded = (await import(pathToFileURL(file).href)) as { buildModel: () => tf.LayersModel };
  return { emitted: loaded.buildModel(), runtime: buildModel(graph) };
}

function layersOf(model: tf.LayersModel) {
  return model.layers
    .filter((layer) => layer.getClassName() !== "InputLayer")
    .map((layer) => ({
      name: layer.name,
      className: layer.getClassName(),
      // A sequential model's first layer also carries its input's shape and dtype; the functional one's input does.
      config: { ...layer.getConfig(), name: undefined, batchInputShape: undefined, dtype: undefined },
      inbound: layer.inboundNodes.map((n) =>
        n.inboundLayers.map((l) => (l.getClassName() === "InputLayer" ? "input" : l.name)),
      ),
      weights: layer.weights.map((w) => [w.originalName, w.shape]),
    }));
}

/** Every weight's name and values, in the model's order. */
function weightValues(model: tf.LayersModel): [string, Float32Array][] {
  return model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]);
}

function bytesEqual(a: Float32Array, b: Float32Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

/** The model's output on two fixed pseudo-random samples (seeded, so both models see the same input). */
function outputOn(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const shape = model.inputs[0]!.shape.slice(1) as number[];
    const input = tf.randomUniform([2, ...shape], 0, 1, "float32", 17);
    return (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
  });
}

describe("the emitted buildModel", () => {
  let dir = "";
  beforeAll(async () => {
    dir = programDir("emit-ts-same-model");
    await initBackend();
  });

  it.each(EXAMPLES)(
    "builds the runtime's model for %s.model: layers, seeded weights and outputs",
    async (name) => {
      const { emitted, runtime } = await emittedModel(name, dir);
      try {
        expect(layersOf(emitted)).toEqual(layersOf(runtime));
        // The seed gives both the same weights only if every weight has the runtime's name and kind.
        initializeWeights(emitted, SEED);
        initializeWeights(runtime, SEED);
        const weights = weightValues(runtime);
        expect(weights.length).toBeGreaterThan(0);
        const emittedWeights = weightValues(emitted);
        expect(emittedWeights.map(([n]) => n)).toEqual(weights.map(([n]) => n));
        // Bit-equal, compared as bytes: toEqual over ResNet50's 25M floats alone takes minutes.
        const differing = weights
          .filter(([, values], i) => !bytesEqual(values, emittedWeights[i]![1]))
          .map(([n]) => n);
        expect(differing).toEqual([]);
        // The same layers wired the same way compute the same function: equal outputs on a fixed input.
        const expected = outputOn(runtime);
        expect(expected.every(Number.isFinite)).toBe(true);
        expect(outputOn(emitted)).toEqual(expected);
      } finally {
        emitted.dispose();
        runtime.dispose();
      }
    },
  );
});
