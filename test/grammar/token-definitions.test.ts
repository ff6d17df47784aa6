import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { ALL_TOKENS } from "../../grammar/tokens.js";
import { ModelParser } from "../../grammar/parser.js";

/**
 * The CLI's lexer skips chevrotain's validation of the token definitions (start-up time); this test runs it,
 * so a token that can never match, or shadows another, still fails `npm test`.
 */
describe("the token definitions", () => {
  it("pass chevrotain's lexer validations", () => {
    const lexer = new Lexer(ALL_TOKENS, { positionTracking: "onlyOffset", ensureOptimizations: false });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });
});

/**
 * Likewise the parser: the CLI's skips chevrotain's grammar validations; built here with them, any definition
 * error (an ambiguity, left recursion, an unreachable alternative) throws "Parser Definition Errors detected".
 */
describe("the grammar", () => {
  it("passes chevrotain's parser validations", () => {
    expect(() => new ModelParser({ validate: true })).not.toThrow();
  });
});
