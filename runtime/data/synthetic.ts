import { CounterRandom } from "./counter-random.js";
import { DataError } from "./data-error.js";
import type { Dataset } from "./dataset.js";
import { fitToInput } from "./fit-shape.js";

/**
 * `synthetic(samples, classes, shape?)`: random but learnable data for benchmarks and tests. Each class has
 * its own mean (uniform in [0, 1) per value) and samples add uniform noise of ±0.3 to it, so a model can
 * separate the classes. Sample i has class i mod classes. Everything is a pure function of the seed.
 */
export function loadSynthetic(
  samples: number,
  classes: number,
  shape: readonly number[] | undefined,
  inputShape: readonly number[],
  seed: number,
): Dataset {
  if (!Number.isInteger(samples) || samples < 1)
    throw new DataError(`synthetic: samples must be a positive integer, got ${samples}`);
  if (!Number.isInteger(classes) || classes < 1)
    throw new DataError(`synthetic: classes must be a positive integer, got ${classes}`);
  const sampleShape = fitToInput(shape ?? inputShape, inputShape, "data 'synthetic'");
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const means = new Float32Array(classes * size);
  const meanRandom = new CounterRandom(seed, "synthetic/means");
  for (let i = 0; i < means.length; i++) means[i] = meanRandom.uniform(i);
  const noise = new CounterRandom(seed, "synthetic/noise");
  const x = new Float32Array(samples * size);
  const y = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    const c = s % classes;
    y[s] = c;
    const base = s * size;
    const mean = c * size;
    for (let j = 0; j < size; j++) x[base + j] = means[mean + j]! + (noise.uniform(base + j) - 0.5) * 0.6;
  }
  const shapeText = shape === undefined ? "" : `, shape: [${shape.join(", ")}]`;
  return {
    x,
    y,
    count: samples,
    sampleShape,
    labelShape: [],
    numClasses: classes,
    description: `synthetic(samples: ${samples}, classes: ${classes}${shapeText})`,
  };
}
