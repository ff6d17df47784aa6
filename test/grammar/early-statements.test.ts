import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SourceFile } from "../../compiler/diagnostics/index.js";
import { parse } from "../../grammar/index.js";
import { AstBuilder } from "../../grammar/build-ast.js";
import { modelParser } from "../../grammar/parser.js";
import { MODEL_LEXER } from "../../grammar/tokens.js";
import { SEEDS, mutation, tokenSoup, truncation } from "../fuzz/front-end-property.js";
import { generateModel } from "../../bench/generate-model.js";

/**
 * `parse` builds each statement's AST as soon as the parser finishes it (AstBuilder.early), so that a big file's
 * CST does not live until the end of parsing. The oracle: the whole CST parsed first and built afterwards, as
 * before, gives the same AST and the same diagnostics, on valid files and on the broken ones that error
 * recovery leaves partial statements in.
 */
function builtAfterwards(text: string) {
  const source = new SourceFile("t.model", text);
  const parser = modelParser();
  parser.input = MODEL_LEXER.tokenize(text).tokens;
  const cst = parser.file();
  parser.input = [];
  const builder = new AstBuilder(source);
  const ast = builder.file(cst);
  return { ast, diagnostics: [...builder.diagnostics].sort((a, b) => a.span.start - b.span.start) };
}

function builtWhileParsing(text: string) {
  const { ast, diagnostics } = parse(new SourceFile("t.model", text));
  // parse() also reports lexer and parser errors; the builder's own are what the oracle has.
  const builders = new Set(builtAfterwards(text).diagnostics.map((d) => d.code));
  return { ast, diagnostics: diagnostics.filter((d) => builders.has(d.code) && d.code !== "MG1001") };
}

function same(text: string): void {
  const early = builtWhileParsing(text);
  const late = builtAfterwards(text);
  expect(early.ast).toEqual(late.ast);
  expect(early.diagnostics).toEqual(late.diagnostics.filter((d) => d.code !== "MG1001"));
}

describe("statements built while parsing", () => {
  it("equal the AST built from the whole CST for the examples and a generated 500-layer model", () => {
    for (const seed of [...SEEDS, generateModel(500)]) same(seed);
  });

  it("hold nested bodies (repeat inside repeat) and keyword-after-positional errors", () => {
    same(
      "model M { input x: [4]\n repeat 2 { dense(4) -> relu; repeat 3 { dense(units: 2, 3) } }\n output _ }",
    );
  });

  it("keep the spans of bodies that error recovery leaves open (their last statement ends them) or unopened", () => {
    for (const text of [
      "model model model",
      "model M { input x: [4]\n dense(4) -> relu",
      "block b(x) { repeat 2 { dense(4) @model",
      "model M { h = dense(4, activation: relu) -> dropout(0.1",
      // ... and bodies whose '{' is missing.
      "model M dense(4) -> relu }",
      "model M\n  input x: [4] dense(2) }",
    ])
      same(text);
  });

  it("equal it on truncated, mutated and random inputs", () => {
    fc.assert(fc.property(truncation, same), { numRuns: 300 });
    fc.assert(fc.property(mutation, same), { numRuns: 500 });
    fc.assert(fc.property(tokenSoup, same), { numRuns: 500 });
  });
});
