import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  Reporter,
  formatFinalLine,
  formatStepLine,
  groupThousands,
  weightsL2,
  type FinalMetrics,
} from "../../runtime/report/index.js";

/** CLI.md's contract for the last line. */
const FINAL =
  /^final: loss=[^ ]+ accuracy=[^ ]+ val_accuracy=[^ ]+ samples_per_s=[^ ]+ weights_l2=[0-9.eE+-]+$/;

const metrics: FinalMetrics = {
  loss: 0.14213,
  accuracy: 0.96118,
  valAccuracy: null,
  samplesPerS: 4102.4,
  weightsL2: 31.4159265358979,
};

function capture(options: { json?: boolean; tty?: boolean }): { reporter: Reporter; text: () => string } {
  let out = "";
  let clock = 0;
  const reporter = new Reporter({
    ...options,
    write: (chunk) => void (out += chunk),
    now: () => (clock += 50),
  });
  return { reporter, text: () => out };
}

describe("final line", () => {
  it("matches CLI.md's format, n/a for a metric not computed, 9 significant digits of weights_l2", () => {
    const line = formatFinalLine(metrics);
    expect(line).toMatch(FINAL);
    expect(line).toBe(
      "final: loss=0.1421 accuracy=0.9612 val_accuracy=n/a samples_per_s=4102 weights_l2=31.4159265",
    );
    expect(formatFinalLine({ ...metrics, loss: NaN, samplesPerS: null, weightsL2: 1234567890123 })).toMatch(
      FINAL,
    );
  });

  it("weightsL2 is the L2 norm of the trainable weights only", () => {
    const input = tf.input({ shape: [2] });
    const dense = tf.layers.dense({ units: 1, kernelInitializer: "ones", biasInitializer: "ones" });
    const bn = tf.layers.batchNormalization();
    const model = tf.model({ inputs: input, outputs: bn.apply(dense.apply(input)) as tf.SymbolicTensor });
    // kernel [1, 1], bias [1], gamma [1], beta [0]; moving statistics are not trainable.
    expect(weightsL2(model)).toBeCloseTo(2, 10);
    model.dispose();
  });
});

describe("Reporter", () => {
  function run(reporter: Reporter): void {
    reporter.start({
      model: "Mnist",
      devices: 2,
      backend: "wasm",
      strategy: "data",
      globalBatch: 32,
      epochs: 1,
      stepsPerEpoch: 3,
      trainSamples: 9000,
      validationSamples: 1000,
      data: "mnist (built-in digits)",
    });
    reporter.epochStart(1, 1);
    for (let step = 1; step <= 3; step++)
      reporter.step({ epoch: 1, step, globalStep: step, logs: { loss: 1 / step, accuracy: 0.5 } });
    reporter.epochEnd({
      epoch: 1,
      epochs: 1,
      steps: 3,
      logs: { loss: 0.42131, accuracy: 0.88, val_accuracy: 0.9105 },
      samplesPerS: 4102,
      ms: 2000,
    });
    reporter.checkpoint({ path: "runs/Mnist/step-3", step: 3, epoch: 1 });
    reporter.final(metrics, "runs/Mnist/step-3");
  }

  it("prints one line per epoch when not on a TTY, Keras-style, then the final line", () => {
    const { reporter, text } = capture({ tty: false });
    run(reporter);
    const lines = text().trimEnd().split("\n");
    expect(lines).toContain("Epoch 1/1");
    expect(lines).toContain(
      "3/3 ━━━━━━━━━━━━━━━━━━━━ 2s 667ms/step - loss: 0.4213 - accuracy: 0.8800 - val_accuracy: 0.9105 - 4,102 samples/s",
    );
    expect(lines[1]).toBe("data: mnist (built-in digits), 9,000 train / 1,000 validation");
    expect(text()).not.toContain("\r");
    expect(lines.at(-2)).toBe(
      "saved: runs/Mnist/step-3 (model.json + weights.bin; load with tf.loadLayersModel)",
    );
    expect(lines.at(-1)).toMatch(FINAL);
  });

  it("shows tokens/s beside samples/s for a model scored at every position", () => {
    for (const json of [false, true]) {
      const { reporter, text } = capture({ tty: false, json });
      reporter.start({
        model: "TinyGpt",
        devices: 2,
        backend: "wasm",
        strategy: "data",
        globalBatch: 32,
        epochs: 1,
        stepsPerEpoch: 1,
        trainSamples: 32,
        validationSamples: 0,
        data: "moby_dick",
        tokensPerSample: 64,
      });
      reporter.epochStart(1, 1);
      reporter.epochEnd({ epoch: 1, epochs: 1, steps: 1, logs: { loss: 3 }, samplesPerS: 150, ms: 200 });
      if (json) expect(text()).toContain('"samples_per_s":150,"tokens_per_s":9600');
      else expect(text()).toContain(" - 150 samples/s (9,600 tokens/s)");
    }
  });

  it("redraws a bar in place on a TTY", () => {
    const { reporter, text } = capture({ tty: true });
    run(reporter);
    expect(text()).toMatch(/\r1\/3 ━━━━━━─+ ETA \d+ms \d+ms\/step - loss: 1\.0000/);
    expect(text()).toContain("\r3/3 ━━━━━━━━━━━━━━━━━━━━ 2s");
  });

  it("emits one JSON event per line, the final one carrying the final line's fields", () => {
    const { reporter, text } = capture({ json: true });
    run(reporter);
    reporter.error({ message: "loss became NaN", step: 4, kept: "runs/Mnist/step-3" });
    const events = text()
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e["event"])).toEqual([
      "start",
      "step",
      "step",
      "step",
      "epoch",
      "checkpoint",
      "final",
      "error",
    ]);
    const final = events[6]!;
    expect(final["weights_l2"]).toBe(31.4159265);
    expect(final["val_accuracy"]).toBeNull();
    expect(final["samples_per_s"]).toBe(4102.4);
    expect(events[4]!["val_accuracy"]).toBe(0.9105);
  });

  it("ends with the predicted and the measured step side by side (text), as v2 fields (--json)", () => {
    const timed = { ...metrics, predictedStepMs: 8.0833, measuredStepMs: 5.28 };
    const text = capture({});
    text.reporter.final(timed);
    const lines = text.text().trimEnd().split("\n");
    expect(lines.at(-2)).toBe("step: predicted 8.08 ms, measured 5.28 ms (measured / predicted 0.65)");
    // A step over a second: digits, not an exponent.
    expect(formatStepLine({ ...metrics, predictedStepMs: 951.2, measuredStepMs: 1083.7 })).toBe(
      "step: predicted 951 ms, measured 1,080 ms (measured / predicted 1.14)",
    );
    expect(lines.at(-1)).toMatch(FINAL);
    const json = capture({ json: true });
    json.reporter.final(timed);
    const event = JSON.parse(json.text().trim()) as Record<string, unknown>;
    expect(event["predicted_step_ms"]).toBe(8.0833);
    expect(event["measured_step_ms"]).toBe(5.28);
    // Unknown (too few steps to time): no step line, the fields null.
    const untimed = capture({});
    untimed.reporter.final({ ...metrics, samplesPerS: null, predictedStepMs: 8, measuredStepMs: null });
    expect(untimed.text()).not.toContain("step:");
  });

  it("groups thousands without the locale", () => {
    expect(groupThousands(1234567.8)).toBe("1,234,568");
    expect(groupThousands(999)).toBe("999");
  });
});
