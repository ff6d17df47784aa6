import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  DataError,
  epochOrder,
  gatherBatch,
  loadDataset,
  splitValidation,
  type Dataset,
} from "../../runtime/data/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "mgpuc-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function histogram(ds: Dataset): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (const label of ds.y) counts[label]!++;
  return counts;
}

async function dataError(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

/** Byte equality, because deep-equal on 784,000-element arrays is slow. */
const sameBytes = (a: Float32Array, b: Float32Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** An IDX file: magic 00 00 type ndims, big-endian sizes, then the values. */
function idx(type: number, shape: number[], values: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt8(type, 2);
  header.writeUInt8(shape.length, 3);
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

describe("mnist", () => {
  it("reads all 10,000 digits with every class and the package's class histogram", async () => {
    const ds = await loadDataset({ kind: "mnist" }, { inputShape: [28, 28], baseDir: dir });
    expect(ds.count).toBe(10_000);
    expect(ds.x.length).toBe(10_000 * 784);
    expect(ds.numClasses).toBe(10);
    expect(histogram(ds)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it("adds the trailing axis of 1 and rejects a flat input", async () => {
    const ds = await loadDataset({ kind: "mnist" }, { inputShape: [28, 28, 1], baseDir: dir });
    expect(ds.sampleShape).toEqual([28, 28, 1]);
    const error = await dataError(loadDataset({ kind: "mnist" }, { inputShape: [784], baseDir: dir }));
    expect(error.message).toContain("[28, 28]");
    expect(error.message).toContain("[784]");
  });

  it("splits deterministically and stratified by class", async () => {
    const ds = await loadDataset({ kind: "mnist" }, { inputShape: [28, 28], baseDir: dir });
    const { train, validation } = splitValidation(ds, 0.1, 42);
    expect(validation.count).toBe(1000);
    expect(train.count).toBe(9000);
    const all = histogram(ds);
    histogram(validation).forEach((n, c) => expect(Math.abs(n - all[c]! * 0.1)).toBeLessThan(1));
    histogram(train).forEach((n, c) => expect(n + histogram(validation)[c]!).toBe(all[c]));
    const again = splitValidation(ds, 0.1, 42).validation;
    expect(sameBytes(again.x, validation.x)).toBe(true);
    expect(sameBytes(splitValidation(ds, 0.1, 43).validation.x, validation.x)).toBe(false);
  });
});

describe("idx", () => {
  const images = idx(0x08, [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0]);
  const labels = idx(0x08, [3], [7, 0, 2]);
  writeFileSync(path.join(dir, "img.idx"), images);
  writeFileSync(path.join(dir, "lab.idx"), labels);
  writeFileSync(path.join(dir, "img.idx.gz"), gzipSync(images));
  writeFileSync(path.join(dir, "lab.idx.gz"), gzipSync(labels));

  it("reads plain and gzipped files alike, images scaled to [0, 1]", async () => {
    const opts = { inputShape: [2, 2, 1], baseDir: dir };
    const plain = await loadDataset({ kind: "idx", images: "img.idx", labels: "lab.idx" }, opts);
    const gz = await loadDataset({ kind: "idx", images: "img.idx.gz", labels: "lab.idx.gz" }, opts);
    expect(plain.count).toBe(3);
    expect(plain.sampleShape).toEqual([2, 2, 1]);
    expect(Array.from(plain.y)).toEqual([7, 0, 2]);
    expect(plain.numClasses).toBe(8);
    expect(plain.x[1]).toBeCloseTo(1);
    expect(plain.x[2]).toBeCloseTo(0.2);
    expect(gz.x).toEqual(plain.x);
    expect(gz.y).toEqual(plain.y);
  });

  it("locates corrupt, truncated, mismatched and missing files", async () => {
    const opts = { inputShape: [2, 2], baseDir: dir };
    const bad = Buffer.from(images);
    bad.writeUInt8(0x07, 2);
    writeFileSync(path.join(dir, "bad.idx"), bad);
    const magic = await dataError(loadDataset({ kind: "idx", images: "bad.idx", labels: "lab.idx" }, opts));
    expect(magic.path).toBe(path.join(dir, "bad.idx"));
    expect(magic.offset).toBe(0);
    expect(magic.message).toMatch(/bad magic number 0x00000703/);

    writeFileSync(path.join(dir, "short.idx"), images.subarray(0, images.length - 3));
    const short = await dataError(loadDataset({ kind: "idx", images: "short.idx", labels: "lab.idx" }, opts));
    expect(short.message).toMatch(/truncated: .* needs 28 bytes, the file has 25 \(at byte offset 25\)/);

    writeFileSync(path.join(dir, "two.idx"), idx(0x08, [2], [1, 2]));
    const count = await dataError(loadDataset({ kind: "idx", images: "img.idx", labels: "two.idx" }, opts));
    expect(count.message).toContain("2 labels");

    const missing = await dataError(
      loadDataset({ kind: "idx", images: "none.idx", labels: "lab.idx" }, opts),
    );
    expect(missing.message).toContain(path.join(dir, "none.idx"));
  });
});

describe("csv", () => {
  it("reads features and integer labels, reshaped to the input", async () => {
    writeFileSync(path.join(dir, "ok.csv"), "a,label,b\n1,0,2\n3,1,4\n\n5,2,6\n");
    const ds = await loadDataset(
      { kind: "csv", path: "ok.csv", label: "label" },
      { inputShape: [2, 1], baseDir: dir },
    );
    expect(Array.from(ds.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ds.y).toBeInstanceOf(Int32Array);
    expect(Array.from(ds.y)).toEqual([0, 1, 2]);
    expect(ds.numClasses).toBe(3);
    expect(ds.sampleShape).toEqual([2, 1]);
  });

  it("reports the line of a bad cell or row, and a missing label column", async () => {
    writeFileSync(path.join(dir, "bad.csv"), "a,label\n1,0\n2,x\n");
    const cell = await dataError(
      loadDataset({ kind: "csv", path: "bad.csv", label: "label" }, { inputShape: [1], baseDir: dir }),
    );
    expect(cell.line).toBe(3);
    expect(cell.message).toContain(`${path.join(dir, "bad.csv")}:3: column 'label': 'x' is not a number`);
    writeFileSync(path.join(dir, "ragged.csv"), "a,label\n1,0,5\n");
    const ragged = await dataError(
      loadDataset({ kind: "csv", path: "ragged.csv", label: "label" }, { inputShape: [1], baseDir: dir }),
    );
    expect(ragged.line).toBe(2);
    const column = await dataError(
      loadDataset({ kind: "csv", path: "ok.csv", label: "y" }, { inputShape: [2], baseDir: dir }),
    );
    expect(column.message).toContain("no column named 'y'");
  });
});

describe("synthetic", () => {
  it("is a pure function of the seed, shaped like the input, and learnable", async () => {
    const source = { kind: "synthetic", samples: 300, classes: 3 } as const;
    const a = await loadDataset(source, { inputShape: [4, 4], baseDir: dir, seed: 9 });
    const b = await loadDataset(source, { inputShape: [4, 4], baseDir: dir, seed: 9 });
    const c = await loadDataset(source, { inputShape: [4, 4], baseDir: dir, seed: 10 });
    expect(a.x).toEqual(b.x);
    expect(a.x).not.toEqual(c.x);
    expect(a.sampleShape).toEqual([4, 4]);
    expect(histogram(a)).toEqual([100, 100, 100]);
    // A nearest-class-mean classifier separates the classes: the data carries its labels.
    const size = 16;
    const means = Array.from({ length: 3 }, () => new Float64Array(size));
    for (let s = 0; s < a.count; s++)
      for (let j = 0; j < size; j++) means[a.y[s]!]![j]! += a.x[s * size + j]! / 100;
    let correct = 0;
    for (let s = 0; s < a.count; s++) {
      const dist = means.map((m) => m.reduce((d, v, j) => d + (v - a.x[s * size + j]!) ** 2, 0));
      if (dist.indexOf(Math.min(...dist)) === a.y[s]) correct++;
    }
    expect(correct / a.count).toBeGreaterThan(0.95);
  });
});

describe("order and batches", () => {
  it("epochOrder is a deterministic permutation that changes each epoch", () => {
    const order = epochOrder(1000, 7, 0);
    expect([...order].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(epochOrder(1000, 7, 0)).toEqual(order);
    expect(epochOrder(1000, 7, 1)).not.toEqual(order);
    expect(epochOrder(1000, 8, 0)).not.toEqual(order);
  });

  it("gatherBatch copies the chosen samples in order", async () => {
    const ds = await loadDataset(
      { kind: "synthetic", samples: 10, classes: 5, shape: [3] },
      { inputShape: [3], baseDir: dir },
    );
    const batch = gatherBatch(ds, [4, 1]);
    expect(batch.count).toBe(2);
    expect(Array.from(batch.x)).toEqual([...ds.x.subarray(12, 15), ...ds.x.subarray(3, 6)]);
    expect(Array.from(batch.y)).toEqual([4, 1]);
  });
});

describe("target: input", () => {
  it("makes the labels a float copy of the samples, shaped like them", async () => {
    const ds = await loadDataset(
      { kind: "mnist" },
      { inputShape: [28, 28, 1], baseDir: dir, target: "input" },
    );
    expect(ds.y).toBeInstanceOf(Float32Array);
    expect(ds.labelShape).toEqual([28, 28, 1]);
    expect(ds.numClasses).toBe(0);
    expect(sameBytes(ds.y as Float32Array, ds.x)).toBe(true);
    // A copy, not the same array (compared as a boolean: vitest would deep-compare 7.8 M values otherwise).
    expect(ds.y === ds.x).toBe(false);
    const batch = gatherBatch(ds, [3]);
    expect(sameBytes(batch.y as Float32Array, batch.x)).toBe(true);
  });

  it("reads no labels: a CSV without its label column, an IDX label file that does not exist", async () => {
    writeFileSync(path.join(dir, "features.csv"), "a,b\n1,2\n3,4\n");
    const csv = await loadDataset(
      { kind: "csv", path: "features.csv", label: "label" },
      { inputShape: [2], baseDir: dir, target: "input" },
    );
    expect(Array.from(csv.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(csv.y)).toEqual([1, 2, 3, 4]);
    const images = idx(0x08, [2, 2, 2], [0, 255, 0, 255, 255, 0, 255, 0]);
    writeFileSync(path.join(dir, "ae-images.idx"), images);
    const idxData = await loadDataset(
      { kind: "idx", images: "ae-images.idx", labels: "no-such-labels.idx" },
      { inputShape: [2, 2], baseDir: dir, target: "input" },
    );
    expect(Array.from(idxData.y)).toEqual([0, 1, 0, 1, 1, 0, 1, 0]);
    expect(idxData.labelShape).toEqual([2, 2]);
  });
});

describe("idx of any size", () => {
  it("reads 16×16 images in 4 classes", async () => {
    const count = 8;
    writeFileSync(path.join(dir, "i16.idx"), idx(0x08, [count, 16, 16], new Array(count * 256).fill(51)));
    writeFileSync(path.join(dir, "l4.idx"), idx(0x08, [count], [0, 1, 2, 3, 3, 2, 1, 0]));
    const ds = await loadDataset(
      { kind: "idx", images: "i16.idx", labels: "l4.idx" },
      { inputShape: [16, 16, 1], baseDir: dir },
    );
    expect(ds.sampleShape).toEqual([16, 16, 1]);
    expect(ds.numClasses).toBe(4);
    expect(ds.x[0]).toBeCloseTo(0.2);
  });

  it("a large CSV's class count is found without spreading every label onto the stack", async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},${i % 7}`).join("\n");
    writeFileSync(path.join(dir, "many.csv"), `x,label\n${rows}\n`);
    const ds = await loadDataset(
      { kind: "csv", path: "many.csv", label: "label" },
      { inputShape: [1], baseDir: dir },
    );
    expect(ds.count).toBe(200_000);
    expect(ds.numClasses).toBe(7);
  });
});
