import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { compileSource } from "../../compiler/pipeline.js";

/**
 * Text data at compile time (LANGUAGE.md, "Sequences and attention"): the input is `int32[T]` with T = block,
 * embedding's input_dim and the output's last axis cover the vocabulary, the output scores every position; an
 * empty file or a block longer than the text is an error naming the fix.
 */
const dir = mkdtempSync(join(tmpdir(), "mgpuc-check-text-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 7 distinct characters: " ", "a", "b", "c", "d", "é", "🐳" (one code point outside the BMP).
const TEXT = "abc abd dcba é🐳 ".repeat(20);
writeFileSync(join(dir, "book.txt"), TEXT);
writeFileSync(join(dir, "empty.txt"), "");
writeFileSync(join(dir, "val.txt"), "abc cab bad ".repeat(5));
writeFileSync(join(dir, "odd.txt"), "abc xyz cab ".repeat(5));

interface Options {
  readonly validation?: string;
  readonly input?: string;
  readonly vocab?: number;
  readonly out?: string;
  readonly data?: string;
  readonly loss?: string;
}

function compile(o: Options = {}) {
  const text = `model M {
  input tokens: ${o.input ?? "int32[8]"}
  x = embedding(${o.vocab ?? 7}, 8)
  p = position_embedding(512)
  add(x, p)
  attention(2, causal: true)
  ${o.out ?? "dense(7, activation: softmax)"}
}
train M {
  data: ${o.data ?? 'text("book.txt", block: 8)'}
  loss: ${o.loss ?? "sparse_categorical_crossentropy"}
  ${o.validation ? `validation: ${o.validation}` : ""}
}`;
  const result = compileSource(new SourceFile(join(dir, "m.model"), text));
  return result.diagnostics.map((d) => ({ code: d.code, message: d.message, hint: d.hint }));
}

describe("check-data on text", () => {
  it("a character model that fits its text checks clean, characters counted as code points", () => {
    expect(compile()).toEqual([]);
  });

  it("MG2104: windows of another length than the input, with both fixes", () => {
    expect(compile({ data: 'text("book.txt", block: 16)' })).toEqual([
      {
        code: "MG2104",
        message: "data 'text' gives samples of shape [16]; input 'tokens' expects [8]",
        hint: "declare `input tokens: int32[16]`, or write `block: 8`",
      },
    ]);
  });

  it("MG2115: a float input for character ids", () => {
    expect(compile({ input: "[8]" }).map((d) => [d.code, d.message, d.hint])).toContainEqual([
      "MG2115",
      "data 'text' gives integer character ids; input 'tokens' is declared float32",
      "declare `input tokens: int32[8]`",
    ]);
  });

  it("MG2116: an embedding with fewer rows than the text has characters, at the embedding", () => {
    expect(compile({ vocab: 5, out: "dense(7, activation: softmax)" })).toEqual([
      {
        code: "MG2116",
        message: "data 'text' has 7 distinct characters but embedding 'x' takes ids below 5",
        hint: "write `embedding(7, 8)`",
      },
    ]);
  });

  it("MG2107: an output with fewer classes than the text has characters", () => {
    expect(compile({ out: "dense(6, activation: softmax)" }).map((d) => [d.code, d.message])).toEqual([
      ["MG2107", "the data has 7 classes but output 'dense' has 6"],
    ]);
    // More classes than characters is fine (ids never reach them), as for an embedding with spare rows.
    expect(compile({ vocab: 10, out: "dense(10, activation: softmax)" })).toEqual([]);
  });

  it("MG2117: an output that does not score every position", () => {
    expect(compile({ out: "flatten -> dense(7, activation: softmax)" })).toEqual([
      {
        code: "MG2117",
        message:
          "loss 'sparse_categorical_crossentropy' scores every position of the text: output 'dense' must be [8, classes], got [7]",
        hint: "end the model with `dense(VOCABULARY, activation: softmax)` applied to every position",
      },
    ]);
  });

  it("MG2110: an empty file and a block as long as the text, each with its fix", () => {
    expect(compile({ data: 'text("empty.txt", block: 8)' }).map((d) => [d.code, d.message])).toEqual([
      ["MG2110", "cannot read data 'text': empty.txt is empty: there is no text to learn"],
    ]);
    // 320 code points (the whale is one character, two UTF-16 units: 340 would be the wrong count).
    const long = compile({ input: "int32[400]", data: 'text("book.txt", block: 400)' });
    expect(long.map((d) => d.code)).toContain("MG2110");
    expect(long.find((d) => d.code === "MG2110")!.message).toContain(
      "book.txt has 320 characters, too few for one window of block 400 and its next character; use a block below 320",
    );
  });

  it("MG2118: a validation text with characters the training text lacks, at the validation source", () => {
    expect(compile({ validation: 'text("val.txt", block: 8)' })).toEqual([]);
    expect(compile({ validation: 'text("odd.txt", block: 8)' })).toEqual([
      {
        code: "MG2118",
        message:
          'the validation text has 3 character(s) the training data \'text\' lacks ("x", "y", "z"): the model has no id for them',
        hint: "validate on text written with the training text's characters, or use `validation: 0.1` (its end)",
      },
    ]);
  });

  it("moby_dick: 89 distinct characters, so an 88-row embedding is refused", () => {
    expect(
      compile({ vocab: 89, out: "dense(89, activation: softmax)", data: "moby_dick(block: 8)" }),
    ).toEqual([]);
    expect(
      compile({ vocab: 88, out: "dense(89, activation: softmax)", data: "moby_dick(block: 8)" }),
    ).toEqual([
      {
        code: "MG2116",
        message: "data 'moby_dick' has 89 distinct characters but embedding 'x' takes ids below 88",
        hint: "write `embedding(89, 8)`",
      },
    ]);
  });
});
