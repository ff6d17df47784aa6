import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { compileSource } from "../../compiler/pipeline.js";
import { initBackend } from "../../runtime/backend/index.js";
import { epochOrder, gatherBatch, loadDataset } from "../../runtime/data/index.js";
import { trainModel } from "../../runtime/index.js";
import { buildModel, initializeWeights } from "../../runtime/model/index.js";

/** The autoencoder: MNIST digits through a 32-unit bottleneck and back to [28, 28]. */
const AUTOENCODER = `
model Autoencoder {
  input image: [28, 28]
  flatten
  dense(32, activation: relu)
  dense(784, activation: sigmoid)
  reshape([28, 28])
}
train Autoencoder {
  data: mnist
  target: input
  loss: mse
  optimizer: adam(lr: 0.01)
  batch: 64
  seed: 3
}
`;

function compiled() {
  const result = compileSource(new SourceFile("autoencoder.model", AUTOENCODER), { stopAfter: "check-data" });
  expect(result.diagnostics).toEqual([]);
  return { graph: result.graph!, training: result.training! };
}

/** Per-step batch losses from the `--json` step events, whose `loss` is the running mean of the epoch. */
function batchLosses(events: readonly Record<string, unknown>[]): number[] {
  const means = events.filter((e) => e["event"] === "step").map((e) => e["loss"] as number);
  return means.map((mean, i) => (i === 0 ? mean : (i + 1) * mean - i * means[i - 1]!));
}

describe("target: input (an autoencoder on mnist)", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("trains against its input: step 1 is the MSE of the output and the input, and the loss falls", async () => {
    const { graph, training } = compiled();
    expect(training.target).toBe("input");
    const events: Record<string, unknown>[] = [];
    await trainModel({
      model: buildModel(graph),
      modelName: "Autoencoder",
      training,
      devices: 1,
      steps: 30,
      baseDir: ".",
      backend: "wasm",
      json: true,
      tty: false,
      out: (chunk) => {
        for (const line of chunk.split("\n")) if (line.trim() !== "") events.push(JSON.parse(line));
      },
    });
    const losses = batchLosses(events);
    expect(losses).toHaveLength(30);

    // The reference, independent of the runtime's loss code: the initial model's output on the first batch,
    // compared element by element with that batch's images.
    const reference = buildModel(graph);
    initializeWeights(reference, training.seed);
    const mnist = await loadDataset({ kind: "mnist" }, { inputShape: [28, 28], baseDir: "." });
    const first = gatherBatch(mnist, epochOrder(mnist.count, training.seed, 0).subarray(0, training.batch));
    const output = tf.tidy(() =>
      (reference.predict(tf.tensor(first.x, [first.count, 28, 28])) as tf.Tensor).dataSync(),
    );
    let squared = 0;
    for (let i = 0; i < first.x.length; i++) squared += (output[i]! - first.x[i]!) ** 2;
    expect(losses[0]).toBeCloseTo(squared / first.x.length, 4);

    const lastFive = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(lastFive).toBeLessThan(0.6 * losses[0]!);
  });
});
