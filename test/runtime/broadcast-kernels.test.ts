import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tileGradient } from "../../runtime/backend/index.js";
import { CounterRandom } from "../../runtime/data/index.js";

/**
 * The runtime's replacements for two slow paths of tfjs (a transformer step was 90% Tile): the Tile gradient
 * as a reshape and a sum, and LayerNormalization by broadcasting instead of tiling. Each against an independent
 * float64 computation, since the tfjs oracle tests run with the replacements in place on both sides.
 */
function values(n: number, key: string): Float32Array {
  const r = new CounterRandom(5, key);
  return Float32Array.from({ length: n }, (_, i) => 2 * r.uniform(i) - 1);
}

beforeAll(async () => {
  await initBackend("wasm");
});

describe("the Tile gradient", () => {
  const cases: [number[], number[]][] = [
    [[3], [4]],
    [
      [1, 1, 5],
      [4, 6, 1],
    ],
    [
      [2, 3],
      [3, 2],
    ],
    [
      [2, 1, 3, 1],
      [1, 4, 2, 3],
    ],
  ];
  for (const [shape, reps] of cases) {
    it(`${JSON.stringify(shape)} tiled ${JSON.stringify(reps)}: each element's gradient sums its copies`, () => {
      const x = tf.tensor(
        values(
          shape.reduce((a, b) => a * b, 1),
          "x",
        ),
        [...shape],
      );
      const outShape = shape.map((d, i) => d * reps[i]!);
      const dy = values(
        outShape.reduce((a, b) => a * b, 1),
        "dy",
      );
      const got = tileGradient(tf.tensor(dy, outShape), x, reps).dataSync();
      // Reference: walk every output element, add dy to the input element it copies.
      const want = new Float64Array(x.size);
      const strides = (s: readonly number[]) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
      const outStrides = strides(outShape);
      const inStrides = strides(shape);
      for (let o = 0; o < dy.length; o++) {
        let at = 0;
        outShape.forEach(
          (_, i) => (at += ((Math.floor(o / outStrides[i]!) % outShape[i]!) % shape[i]!) * inStrides[i]!),
        );
        want[at] = want[at]! + dy[o]!;
      }
      want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));
      // And through autodiff: tf.grad of tf.tile takes the registered gradient.
      const viaGrad = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.tile(t, [...reps]), tf.tensor(dy, outShape))),
      )(x);
      expect(Array.from(viaGrad.dataSync())).toEqual(Array.from(got));
    });
  }
});

describe("LayerNormalization by broadcasting", () => {
  it("equals the float64 normalisation, output and gradients of input, gamma and beta", () => {
    const [b, t, c] = [3, 4, 6];
    const eps = 1e-5;
    const layer = tf.layers.layerNormalization({ epsilon: eps });
    const xv = values(b * t * c, "x");
    const x = tf.tensor(xv, [b, t, c]);
    layer.apply(x);
    const gamma = values(c, "gamma").map((v) => 1 + v / 2);
    const beta = values(c, "beta");
    layer.setWeights([tf.tensor(gamma), tf.tensor(beta)]);
    const probe = values(b * t * c, "probe");
    const f = (input: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply(input) as tf.Tensor, tf.tensor(probe, [b, t, c])));
    const y = (layer.apply(x) as tf.Tensor).dataSync();
    const { grads } = tf.variableGrads(
      () => f(x) as tf.Scalar,
      layer.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const dx = tf.grad(f)(x).dataSync();
    const dGamma = new Float64Array(c);
    const dBeta = new Float64Array(c);
    for (let r = 0; r < b * t; r++) {
      const row = Array.from(xv.subarray(r * c, (r + 1) * c));
      const mean = row.reduce((a, v) => a + v, 0) / c;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / c;
      const inv = 1 / Math.sqrt(variance + eps);
      const norm = row.map((v) => (v - mean) * inv);
      const g = norm.map((_, j) => probe[r * c + j]! * gamma[j]!);
      const gMean = g.reduce((a, v) => a + v, 0) / c;
      const gNorm = g.reduce((a, v, j) => a + v * norm[j]!, 0) / c;
      norm.forEach((n, j) => {
        expect(y[r * c + j]).toBeCloseTo(n * gamma[j]! + beta[j]!, 5);
        // d/dx of layer norm: inv · (g − mean(g) − norm · mean(g · norm)).
        expect(dx[r * c + j]).toBeCloseTo(inv * (g[j]! - gMean - n * gNorm), 4);
        dGamma[j] = dGamma[j]! + probe[r * c + j]! * n;
        dBeta[j] = dBeta[j]! + probe[r * c + j]!;
      });
    }
    const [gammaVar, betaVar] = layer.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    grads[gammaVar!]!.dataSync().forEach((v, j) => expect(v).toBeCloseTo(dGamma[j]!, 4));
    grads[betaVar!]!.dataSync().forEach((v, j) => expect(v).toBeCloseTo(dBeta[j]!, 4));
  });
});
