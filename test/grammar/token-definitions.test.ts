import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { ALL_TOKENS } from "../../grammar/tokens.js";

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
