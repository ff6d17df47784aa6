import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { CSV_READ_BYTES } from "../../compiler/data-probe/probe-csv.js";
import { checkData } from "../../compiler/passes/check-data.js";
import { inferShapes } from "../../compiler/passes/infer-shapes.js";
import { lower } from "../../compiler/passes/lower.js";
import { resolveTraining } from "../../compiler/passes/resolve-config.js";
import { buildModel, context, type LayerSpec } from "./build.js";
import { AUTOENCODER, check, entry } from "./check-data-fixtures.js";

/** check-data on data files of one's own: IDX headers and labels, a CSV's header and first rows. */
const dir = mkdtempSync(join(tmpdir(), "mgpuc-check-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file: magic 00 00 type ndims, big-endian sizes, then the values. */
function idxBytes(type: number, shape: readonly number[], values: readonly number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt8(type, 2);
  header.writeUInt8(shape.length, 3);
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values.map((v) => v & 0xff))]);
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `count` images of `side` × `side` and labels `i mod classes` (or the given labels). */
function idxPair(name: string, count: number, side: number, labels: readonly number[]) {
  const pixels = Array.from({ length: count * side * side }, (_, i) => (i * 37) % 256);
  return {
    images: file(`${name}-images.idx`, idxBytes(0x08, [count, side, side], pixels)),
    labels: file(`${name}-labels.idx`, idxBytes(0x08, [labels.length], labels)),
  };
}

const idx = (p: { images: string; labels: string }) => ({
  call: "idx",
  kw: { images: { str: p.images }, labels: { str: p.labels } },
});
const csv = (path: string, label?: string) => ({
  call: "csv",
  kw: { path: { str: path }, ...(label ? { label: { str: label } } : {}) },
});
const softmax = (units: number): LayerSpec => ({ op: "dense", pos: [units], kw: { activation: "softmax" } });
const sigmoid1: LayerSpec = { op: "dense", pos: [1], kw: { activation: "sigmoid" } };
const sparse = "sparse_categorical_crossentropy";
const fourClasses = Array.from({ length: 12 }, (_, i) => i % 4);

describe("check-data reads IDX headers and labels", () => {
  const small = idxPair("small", 12, 16, fourClasses);

  it("16×16 images in 4 classes check clean: the headers give the shape and classes, not MNIST's", () => {
    const gz = {
      images: file("small-images.idx.gz", gzipSync(readFileSync(small.images))),
      labels: file("small-labels.idx.gz", gzipSync(readFileSync(small.labels))),
    };
    for (const source of [small, gz]) {
      const train = { data: idx(source), loss: sparse };
      expect(check([16, 16], [{ op: "flatten" }, softmax(4)], train).diagnostics).toEqual([]);
      expect(
        check([16, 16, 1], [{ op: "conv2d", pos: [4, 3] }, { op: "flatten" }, softmax(4)], train).diagnostics,
      ).toEqual([]);
    }
    // An output with more classes than the labels use is a superset, not an error.
    expect(
      check([16, 16], [{ op: "flatten" }, softmax(10)], { data: idx(small), loss: sparse }).diagnostics,
    ).toEqual([]);
  });

  it("MG2104 names the file's own sample shape", () => {
    const { diagnostics, model } = check([28, 28], [{ op: "flatten" }, softmax(4)], {
      data: idx(small),
      loss: sparse,
    });
    expect(diagnostics.map((d) => [d.code, d.message, d.span])).toEqual([
      [
        "MG2104",
        "data 'idx' gives samples of shape [16, 16]; input 'image' expects [28, 28]",
        entry(model, "data"),
      ],
    ]);
  });

  it("MG2107: a label past the output's last class, with the sample it is in", () => {
    const five = idxPair("five", 6, 16, [0, 1, 2, 3, 4, 0]);
    const { diagnostics, model } = check([16, 16], [{ op: "flatten" }, softmax(4)], {
      data: idx(five),
      loss: sparse,
    });
    expect(diagnostics).toEqual([
      {
        code: "MG2107",
        severity: "error",
        message: "the data has 5 classes but output 'dense' has 4",
        span: entry(model, "data"),
        hint: "label 4 is at sample 4 of five-labels.idx: end the model with `dense(5, activation: softmax)`",
      },
    ]);
  });

  it("MG2110: a corrupt, truncated or mismatched file, at the data value, naming the byte offset", () => {
    const magic = Buffer.from(readFileSync(small.images));
    magic.writeUInt8(0x07, 2);
    const cases: [string, { images: string; labels: string }][] = [
      [
        "bad magic number 0x00000703, not an IDX file (at byte offset 0)",
        { ...small, images: file("magic.idx", magic) },
      ],
      [
        "truncated: shape [12, 16, 16] needs 3088 bytes, the file has 3000",
        { ...small, images: file("short.idx", readFileSync(small.images).subarray(0, 3000)) },
      ],
      ["has 3 labels but", { ...small, labels: file("three.idx", idxBytes(0x08, [3], [0, 1, 2])) }],
      [
        "label -1 of sample 1 is not a class index",
        { ...small, labels: file("neg.idx", idxBytes(0x09, [12], [0, -1, ...fourClasses.slice(2)])) },
      ],
    ];
    for (const [message, source] of cases) {
      const { diagnostics, model } = check([16, 16], [{ op: "flatten" }, softmax(4)], {
        data: idx(source),
        loss: sparse,
      });
      expect(diagnostics.map((d) => [d.code, d.span])).toEqual([["MG2110", entry(model, "data")]]);
      expect(diagnostics[0]!.message).toContain(message);
      expect(diagnostics[0]!.hint).toContain("IDX format");
    }
  });

  it("a missing file stays a warning (MG2204) and no data error", () => {
    const model = buildModel([16, 16], [{ op: "flatten" }, softmax(4)], {
      train: { data: idx({ images: join(dir, "none-images.idx"), labels: small.labels }), loss: sparse },
    });
    const ctx = context();
    const graph = inferShapes(lower(model, ctx), ctx);
    checkData(graph, resolveTraining(model, ctx, "/nowhere"), ctx);
    expect(ctx.diagnostics.items.map((d) => [d.code, d.severity])).toEqual([["MG2204", "warning"]]);
  });

  it("binary cross-entropy takes 0/1 labels and rejects 0-3 (MG2108)", () => {
    const binary = idxPair("binary", 4, 16, [0, 1, 1, 0]);
    const layers = [{ op: "flatten" }, sigmoid1];
    expect(check([16, 16], layers, { data: idx(binary), loss: "binary_crossentropy" }).diagnostics).toEqual(
      [],
    );
    const four = check([16, 16], layers, { data: idx(small), loss: "binary_crossentropy" });
    expect(four.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      [
        "MG2108",
        "loss 'binary_crossentropy' needs 0/1 labels, but data 'idx' gives integer 0-3 labels",
        "label 2 is at sample 2 of small-labels.idx: for classes 0-3 use `loss: sparse_categorical_crossentropy` with `dense(4, activation: softmax)`",
      ],
    ]);
  });
});

describe("check-data reads a CSV's header and first rows", () => {
  const threeClasses = file("three.csv", "a,b,c,label\n1,2,3,0\n4,5,6,1\n7,8,9,2\n");

  it("MG2107: labels 0-2 against a 2-unit softmax, with the line of the label", () => {
    const { diagnostics, model } = check([3], [softmax(2)], { data: csv(threeClasses), loss: sparse });
    expect(diagnostics.map((d) => [d.code, d.message, d.span, d.hint])).toEqual([
      [
        "MG2107",
        "the data has 3 classes but output 'dense' has 2",
        entry(model, "data"),
        "label 2 is at line 4 of three.csv: end the model with `dense(3, activation: softmax)`",
      ],
    ]);
    expect(check([3], [softmax(3)], { data: csv(threeClasses), loss: sparse }).diagnostics).toEqual([]);
  });

  it("MG2111: no label column, with the columns and a did-you-mean", () => {
    const { diagnostics, model } = check([3], [softmax(3)], {
      data: csv(threeClasses, "lable"),
      loss: sparse,
    });
    expect(diagnostics).toEqual([
      {
        code: "MG2111",
        severity: "error",
        message: `csv file '${threeClasses}' has no column named 'lable'; its columns are a, b, c, label`,
        span: entry(model, "data"),
        hint: "did you mean 'label'?",
      },
    ]);
  });

  it("MG2104: a feature count that is not the input's size, naming the columns", () => {
    const { diagnostics } = check([4], [softmax(3)], { data: csv(threeClasses), loss: sparse });
    expect(diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      [
        "MG2104",
        "data 'csv' gives samples of shape [3]; input 'image' expects [4]",
        "the file has 3 feature column(s) besides 'label' (a, b, c) and the input takes 4 values: declare `input image: [3]`, or give the file 4 feature columns",
      ],
    ]);
    // Rows are flat: any input with as many values takes them.
    expect(
      check([3, 1], [{ op: "flatten" }, softmax(3)], { data: csv(threeClasses), loss: sparse }).diagnostics,
    ).toEqual([]);
  });

  it("MG2110: a ragged row, a cell that is not a number, or no rows, with the line", () => {
    const cases: [string, string][] = [
      ["a,label\n1,0\n2,1,5\n", ":3: expected 2 values, found 3"],
      ["a,label\n1,0\nx,1\n", ":3: column 'a': 'x' is not a number"],
      ["a,label\n\n", ": no data rows"],
      ["", ":1: no header row"],
    ];
    cases.forEach(([text, message], i) => {
      const path = file(`bad-${i}.csv`, text);
      const { diagnostics } = check([1], [softmax(2)], { data: csv(path), loss: sparse });
      expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
        ["MG2110", `cannot read data 'csv': ${path}${message}`],
      ]);
    });
  });

  it("float labels are a regression target: mse with dense(1) is fine, sparse labels are not (MG2108)", () => {
    const floats = file("floats.csv", "x1,x2,y\n1,2,0.5\n3,4,-1.25\n");
    const regression = { data: csv(floats, "y"), loss: "mse" };
    expect(check([2], [{ op: "dense", pos: [1] }], regression).diagnostics).toEqual([]);
    const classes = check([2], [softmax(3)], { data: csv(floats, "y"), loss: sparse });
    expect(classes.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "MG2108",
        "loss 'sparse_categorical_crossentropy' needs integer class labels, but data 'csv' gives non-integer (0.5 at line 2 of floats.csv) labels",
      ],
    ]);
  });

  it("reads only the first rows: later ones are the runtime's, and a label range there is 'at least'", () => {
    const row = "1,2,3,1\n";
    const rows = Math.ceil(CSV_READ_BYTES / row.length) + 10;
    const big = file("big.csv", `a,b,c,label\n${row.repeat(rows)}oops,2,3,7\n`);
    const { diagnostics } = check([3], [softmax(2)], { data: csv(big), loss: sparse });
    expect(diagnostics).toEqual([]);
    const wide = file("wide.csv", `a,b,c,label\n1,2,3,5\n${row.repeat(rows)}`);
    const seen = check([3], [softmax(2)], { data: csv(wide), loss: sparse });
    expect(seen.diagnostics.map((d) => d.message)).toEqual([
      "the data has at least 6 classes but output 'dense' has 2",
    ]);
  });
});

describe("check-data: the loss against the output and the labels", () => {
  it("MG2114: mse against a 10-way softmax on mnist's labels", () => {
    const { diagnostics, model } = check([28, 28], [{ op: "flatten" }, softmax(10)], {
      data: "mnist",
      loss: "mse",
    });
    expect(diagnostics).toEqual([
      {
        code: "MG2114",
        severity: "error",
        message:
          "loss 'mse' compares the output with one label value per sample, but output 'dense' has shape [10] (10 values)",
        span: entry(model, "loss"),
        hint: "for class labels use `loss: sparse_categorical_crossentropy`; to predict one number, end the model with `dense(1)`",
      },
    ]);
  });

  it("MG2114: an autoencoder's [28, 28] output on mnist without `target: input` says to add it", () => {
    const { diagnostics } = check([28, 28], AUTOENCODER, { data: "mnist", loss: "mae" });
    expect(diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["MG2114", "to reproduce the input (an autoencoder), add `target: input` to the train section"],
    ]);
  });

  it("binary cross-entropy needs one value per sample, categorical cross-entropy class ids in range", () => {
    const column = check([4], [{ op: "reshape", pos: [[4, 1]] }], { loss: "binary_crossentropy" });
    expect(column.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "MG2114",
        "loss 'binary_crossentropy' compares the output with one label value per sample, but output 'reshape' has shape [4, 1] (4 values)",
      ],
    ]);
    // Categorical cross-entropy takes class ids as the sparse form does (the runtime one-hots them), in range.
    const threeClasses = file("onehot.csv", "a,label\n1,0\n2,2\n");
    const categorical = { data: csv(threeClasses), loss: "categorical_crossentropy" };
    expect(check([1], [softmax(3)], categorical).diagnostics).toEqual([]);
    expect(check([1], [softmax(2)], categorical).diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["MG2107", "the data has 3 classes but output 'dense' has 2"],
    ]);
  });
});
