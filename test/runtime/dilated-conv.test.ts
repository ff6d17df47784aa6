import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../runtime/backend/index.js";
import type { Dataset } from "../../runtime/data/index.js";
import { DataParallelGroup } from "../../runtime/train/data-parallel-group.js";
import { runCli } from "../support/run-cli.js";
import {
  type ConvForm,
  type ConvValues,
  type Shape4,
  maxAbsDifference,
  outputShape,
  randomValues,
  referenceGradients,
} from "./dilated-conv-reference.js";
import { maxAbsDiff, setDeterministicWeights, syntheticData } from "./engine-fixtures.js";

/** float32 tfjs against the float64 reference: sums of a few hundred products of values below 0.5. */
const TOLERANCE = 1e-4;

interface Case {
  readonly name: string;
  readonly x: Shape4;
  readonly w: Shape4;
  readonly form: ConvForm;
}

const conv = (dilation: [number, number], padding: "same" | "valid"): ConvForm => ({
  dilation,
  padding,
  depthwise: false,
});
const depthwise = (dilation: [number, number], padding: "same" | "valid"): ConvForm => ({
  dilation,
  padding,
  depthwise: true,
});

const convCases: Case[] = [
  { name: "3x3 dilation 2 valid", x: [2, 9, 8, 3], w: [3, 3, 3, 4], form: conv([2, 2], "valid") },
  { name: "3x3 dilation [2, 3] same", x: [2, 8, 9, 2], w: [3, 3, 2, 3], form: conv([2, 3], "same") },
  { name: "2x4 dilation 2 same (uneven pad)", x: [1, 7, 10, 3], w: [2, 4, 3, 2], form: conv([2, 2], "same") },
  { name: "5x5 dilation [3, 2] valid", x: [1, 14, 12, 2], w: [5, 5, 2, 2], form: conv([3, 2], "valid") },
  { name: "1x3 dilation [1, 2] same", x: [2, 5, 7, 2], w: [1, 3, 2, 3], form: conv([1, 2], "same") },
];

const depthwiseCases: Case[] = [
  {
    name: "3x3 dilation 2 same, multiplier 2",
    x: [2, 8, 8, 3],
    w: [3, 3, 3, 2],
    form: depthwise([2, 2], "same"),
  },
  { name: "3x3 dilation [2, 3] valid", x: [1, 10, 11, 2], w: [3, 3, 2, 1], form: depthwise([2, 3], "valid") },
];

function valuesFor(c: Case, withBias: boolean, seed: number): ConvValues {
  const size = (s: Shape4) => s.reduce((a, b) => a * b, 1);
  const outChannels = c.form.depthwise ? c.x[3] * c.w[3] : c.w[3];
  return {
    x: randomValues(size(c.x), seed),
    xShape: c.x,
    w: randomValues(size(c.w), seed + 1),
    wShape: c.w,
    bias: withBias ? randomValues(outChannels, seed + 2) : null,
  };
}

function upstream(v: ConvValues, form: ConvForm, seed: number): Float64Array {
  return randomValues(
    outputShape(v, form).reduce((a, b) => a * b, 1),
    seed,
  );
}

/** dx and dW of Σ op(x, w) · g through tf.grads, i.e. through the registered kernel gradients. */
function opGradients(c: Case, v: ConvValues, g: Float64Array): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(v.x), [...c.x]);
    const w = tf.tensor4d(Float32Array.from(v.w), [...c.w]);
    const gt = tf.tensor(Float32Array.from(g), [...outputShape(v, c.form)]);
    const { padding } = c.form;
    const dilation: [number, number] = [c.form.dilation[0], c.form.dilation[1]];
    const op = (a: tf.Tensor, b: tf.Tensor) =>
      c.form.depthwise
        ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, padding, "NHWC", dilation)
        : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, padding, "NHWC", dilation);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), gt)))([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

/**
 * dx, dW and dbias of Σ layer(x) · g through a tfjs-layers Conv2D / DepthwiseConv2D with a bias and a linear
 * activation: the form tfjs runs through its fused conv op, whose own gradient refuses dilation.
 */
function layerGradients(
  c: Case,
  v: ConvValues,
  g: Float64Array,
): { dx: Float32Array; dw: Float32Array; dbias: Float32Array; outShape: number[] } {
  const common = {
    kernelSize: [c.w[0], c.w[1]] as [number, number],
    dilationRate: [c.form.dilation[0], c.form.dilation[1]] as [number, number],
    padding: c.form.padding,
    useBias: true,
    activation: "linear" as const,
  };
  const layer = c.form.depthwise
    ? tf.layers.depthwiseConv2d({ ...common, depthMultiplier: c.w[3] })
    : tf.layers.conv2d({ ...common, filters: c.w[3] });
  layer.build([null, c.x[1], c.x[2], c.x[3]]);
  const outShape = layer.computeOutputShape([null, c.x[1], c.x[2], c.x[3]]) as number[];
  const weights = [tf.tensor4d(Float32Array.from(v.w), [...c.w]), tf.tensor1d(Float32Array.from(v.bias!))];
  layer.setWeights(weights);
  tf.dispose(weights);
  const result = tf.tidy(() => {
    const x = tf.variable(tf.tensor4d(Float32Array.from(v.x), [...c.x]));
    const gt = tf.tensor(Float32Array.from(g), [...outputShape(v, c.form)]);
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, gt)) as tf.Scalar,
      [x, kernel!, bias!],
    );
    const out = {
      dx: grads[x.name]!.dataSync() as Float32Array,
      dw: grads[kernel!.name]!.dataSync() as Float32Array,
      dbias: grads[bias!.name]!.dataSync() as Float32Array,
    };
    x.dispose();
    return out;
  });
  // Applied to concrete tensors only, the layer cannot dispose itself; its variables can.
  for (const w of layer.weights) w.dispose();
  return { ...result, outShape };
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`dilated convolution gradients on ${backend} equal a float64 finite-difference reference`, () => {
    beforeAll(async () => {
      // initBackend registers the dilated gradients and layer forms, as every device thread and process does.
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    for (const c of [...convCases, ...depthwiseCases]) {
      const op = c.form.depthwise ? "depthwiseConv2d" : "conv2d";

      it(`tf.${op} ${c.name}: dx and dW`, async () => {
        const v = valuesFor(c, false, 11);
        const g = upstream(v, c.form, 17);
        const reference = referenceGradients(v, c.form, g);
        const got = opGradients(c, v, g);
        expect(maxAbsDifference(got.dx, reference.dx)).toBeLessThan(TOLERANCE);
        expect(maxAbsDifference(got.dw, reference.dw)).toBeLessThan(TOLERANCE);
      });

      it(`tf.layers.${op} ${c.name}, with bias: output shape, dx, dW and dbias`, async () => {
        const v = valuesFor(c, true, 23);
        const g = upstream(v, c.form, 29);
        const reference = referenceGradients(v, c.form, g);
        const got = layerGradients(c, v, g);
        expect(got.outShape).toEqual([null, ...outputShape(v, c.form).slice(1)]);
        expect(maxAbsDifference(got.dx, reference.dx)).toBeLessThan(TOLERANCE);
        expect(maxAbsDifference(got.dw, reference.dw)).toBeLessThan(TOLERANCE);
        expect(maxAbsDifference(got.dbias, reference.dbias!)).toBeLessThan(TOLERANCE);
      });
    }

    it("an undilated conv2d keeps tfjs's own gradient, bit for bit", async () => {
      tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from(randomValues(2 * 7 * 6 * 3, 5)), [2, 7, 6, 3]);
        const w = tf.tensor4d(Float32Array.from(randomValues(3 * 3 * 3 * 4, 6)), [3, 3, 3, 4]);
        const dy = tf.tensor4d(Float32Array.from(randomValues(2 * 7 * 6 * 4, 7)), [2, 7, 6, 4]);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"), dy)),
        )([x, w]);
        const stockDx = tf.conv2dTranspose(dy, w, x.shape, 1, "same");
        const stockDw = tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x, dy },
            { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: w.shape },
          ) as tf.Tensor;
        expect(Array.from(dx!.dataSync())).toEqual(Array.from(stockDx.dataSync()));
        expect(Array.from(dw!.dataSync())).toEqual(Array.from(stockDw.dataSync()));
      });
    });
  });
}

/** conv2d(8, kernel: 3, dilation: 2) → depthwise_conv2d(kernel: 3, dilation: [2, 3], padding: same) → dense. */
function dilatedModel(): tf.LayersModel {
  return tf.sequential({
    name: "dilated",
    layers: [
      tf.layers.conv2d({
        inputShape: [12, 12, 1],
        filters: 8,
        kernelSize: 3,
        dilationRate: 2,
        name: "conv2d",
      }),
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        dilationRate: [2, 3],
        padding: "same",
        activation: "relu",
        name: "depthwise_conv2d",
      }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({ units: 4, activation: "softmax", name: "dense" }),
    ],
  });
}

/** Plain tfjs on the main thread: a copy of `model`, `compile` with sgd, `trainOnBatch` on each global batch. */
async function plainTfjsTrain(
  model: tf.LayersModel,
  data: Dataset,
  batches: readonly Uint32Array[],
  lr: number,
): Promise<Float32Array[]> {
  const copy = await tf.models.modelFromJSON({
    modelTopology: model.toJSON(null, false) as tf.serialization.ConfigDict,
  });
  copy.setWeights(model.getWeights());
  copy.compile({ optimizer: tf.train.sgd(lr), loss: "sparseCategoricalCrossentropy" });
  const size = data.sampleShape.reduce((a, b) => a * b, 1);
  for (const indices of batches) {
    const x = new Float32Array(indices.length * size);
    const y = new Float32Array(indices.length);
    indices.forEach((i, r) => {
      x.set(data.x.subarray(i * size, (i + 1) * size), r * size);
      y[r] = data.y[i]!;
    });
    const xs = tf.tensor(x, [indices.length, ...data.sampleShape]);
    const ys = tf.tensor(y, [indices.length, 1]);
    await copy.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
  }
  const weights = copy.getWeights().map((t) => Float32Array.from(t.dataSync()));
  copy.dispose();
  return weights;
}

describe("a dilated model trains alike on 1 and 2 devices and in plain tfjs", () => {
  const STEPS = 6;
  const LR = 0.05;
  const SEED = 7;
  const data: Dataset = syntheticData(96, 4, [12, 12, 1]);
  const batches = Array.from({ length: STEPS }, (_, s) =>
    Uint32Array.from({ length: 16 }, (_, r) => (s * 37 + r * 11) % data.count),
  );
  let model: tf.LayersModel;
  let reference: Float32Array[];

  async function trainOn(devices: number, options: { transport?: "process"; backend?: "cpu" } = {}) {
    const group = await DataParallelGroup.start({
      model,
      devices,
      optimizer: { kind: "sgd", lr: LR, momentum: 0, nesterov: false },
      loss: "sparse_categorical_crossentropy",
      seed: SEED,
      train: data,
      backend: options.backend ?? "wasm",
      ...(options.transport === undefined ? {} : { transport: options.transport }),
    });
    try {
      for (const [step, indices] of batches.entries()) await group.step(step, indices);
      return (await group.state()).weights;
    } finally {
      await group.close();
    }
  }

  beforeAll(async () => {
    await initBackend("wasm");
    model = dilatedModel();
    expect(model.outputs[0]!.shape).toEqual([null, 4]);
    expect(model.layers[1]!.outputShape).toEqual([null, 8, 8, 8]);
    setDeterministicWeights(model, 3);
    reference = await plainTfjsTrain(model, data, batches, LR);
    const initial = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
    // The steps moved the weights, so agreeing below means something.
    expect(maxAbsDiff(initial, reference)).toBeGreaterThan(1e-3);
  });

  for (const [devices, options, label] of [
    [1, {}, "1 device (thread, wasm)"],
    [2, {}, "2 devices (threads, wasm)"],
    [2, { transport: "process" }, "2 devices (processes, wasm)"],
    [2, { backend: "cpu" }, "2 devices (threads, cpu)"],
  ] as const) {
    it(`${label} equals trainOnBatch after ${STEPS} steps`, async () => {
      const weights = await trainOn(devices, options);
      expect(maxAbsDiff(weights, reference)).toBeLessThanOrEqual(1e-4);
    }, 120_000);
  }
});

describe("mgpuc train on a dilated model", () => {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-dilated-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("trains conv2d(8, kernel: 3, dilation: 2) on synthetic data and exits 0", async () => {
    const file = join(dir, "dilated.model");
    writeFileSync(
      file,
      [
        "model Dilated {",
        "  input image: [12, 12, 1]",
        "  conv2d(8, kernel: 3, dilation: 2)",
        "  conv2d(4, kernel: 3, dilation: [2, 3], padding: same, activation: relu)",
        "  flatten",
        "  dense(4, activation: softmax)",
        "}",
        "train Dilated {",
        "  data: synthetic(samples: 128, classes: 4)",
        "  optimizer: sgd(lr: 0.05)",
        "  loss: sparse_categorical_crossentropy",
        "  batch: 16",
        "  seed: 3",
        "}",
        "",
      ].join("\n"),
    );
    const r = await runCli(["train", file, "--devices", "2", "--steps", "4", "--no-save"], {
      timeoutMs: 170_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^final: loss=\d+\.\d+ /m);
  }, 180_000);
});
