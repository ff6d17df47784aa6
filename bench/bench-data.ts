import { CounterRandom, type Dataset } from "../runtime/data/index.js";

/** `count` samples of `shape`, uniform in [0, 1) from a fixed seed, labelled with 10 classes in turn. */
export function randomDigits(count: number, shape: readonly number[]): Dataset {
  const size = shape.reduce((a, b) => a * b, 1);
  const random = new CounterRandom(1, "bench");
  const x = Float32Array.from({ length: count * size }, (_, i) => random.uniform(i));
  const y = Int32Array.from({ length: count }, (_, i) => i % 10);
  return { x, y, count, sampleShape: shape, labelShape: [], numClasses: 10, description: "bench" };
}
