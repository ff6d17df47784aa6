import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { dropoutMask, rewriteTopologyForReplicas } from "../../runtime/layers/index.js";

describe("replica layers", () => {
  it("dropout masks depend on the global row, not on which replica holds it", () => {
    const whole = dropoutMask("dropout", 42, 7, 0.25, 0, 10, 6);
    const [a, b] = [
      dropoutMask("dropout", 42, 7, 0.25, 0, 4, 6),
      dropoutMask("dropout", 42, 7, 0.25, 4, 6, 6),
    ];
    expect(Array.from(whole)).toEqual([...a, ...b]);
    const kept = whole.filter((m) => m !== 0);
    expect(kept.length).toBeGreaterThan(30);
    expect(kept.length).toBeLessThan(60);
    for (const m of kept) expect(m).toBeCloseTo(1 / 0.75, 6);
    expect(Array.from(dropoutMask("dropout", 42, 8, 0.25, 0, 10, 6))).not.toEqual(Array.from(whole));
    expect(Array.from(dropoutMask("dropout_1", 42, 7, 0.25, 0, 10, 6))).not.toEqual(Array.from(whole));
  });

  it("dropout masks of channel blocks are the whole tensor's mask cut by channel", () => {
    // 3 rows of [2, 5]: spatial 2 × 5 channels, cut into channels [0, 3) and [3, 5).
    const whole = dropoutMask("dropout", 42, 7, 0.5, 4, 3, 10);
    const a = dropoutMask("dropout", 42, 7, 0.5, 4, 3, 6, { offset: 0, total: 5, width: 3 });
    const b = dropoutMask("dropout", 42, 7, 0.5, 4, 3, 4, { offset: 3, total: 5, width: 2 });
    const joined: number[] = [];
    for (let i = 0; i < 3 * 2; i++)
      joined.push(...a.subarray(i * 3, i * 3 + 3), ...b.subarray(i * 2, i * 2 + 2));
    expect(joined).toEqual(Array.from(whole));
    expect(new Set(joined).size).toBe(2);
  });

  it("rewrites a functional model's batchnorm and dropout, keeping its weights in order", async () => {
    const input = tf.input({ shape: [6, 6, 2], name: "image" });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: "same", name: "conv" }).apply(input);
    const bn = tf.layers.batchNormalization({ name: "bn" }).apply(conv);
    const sum = tf.layers.add({ name: "residual__add" }).apply([bn, input] as tf.SymbolicTensor[]);
    const flat = tf.layers.flatten({ name: "flatten" }).apply(sum);
    const drop = tf.layers.dropout({ rate: 0.5, name: "drop" }).apply(flat);
    const out = tf.layers
      .dense({ units: 3, activation: "softmax", name: "out" })
      .apply(drop) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });

    const topology = rewriteTopologyForReplicas(model.toJSON(null, false));
    const classes = JSON.stringify(topology).match(/"class_name":"[A-Za-z]+"/g) ?? [];
    expect(classes).toContain('"class_name":"SyncBatchNormalization"');
    expect(classes).toContain('"class_name":"CounterDropout"');
    expect(classes).not.toContain('"class_name":"BatchNormalization"');
    expect(classes).not.toContain('"class_name":"Dropout"');

    const replica = await tf.models.modelFromJSON({ modelTopology: topology as tf.serialization.ConfigDict });
    expect(replica.weights.map((w) => [w.originalName, w.shape])).toEqual(
      model.weights.map((w) => [w.originalName, w.shape]),
    );
    replica.setWeights(model.getWeights());
    // At inference both forms compute the same function.
    const x = tf.randomUniform([4, 6, 6, 2], 0, 1, "float32", 3);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const actual = (replica.predict(x) as tf.Tensor).dataSync();
    expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 5));
  });
});
