import { Lexer, type TokenType } from "chevrotain";
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

  /**
   * grammar/tokens.ts gives each regular expression its possible first characters (`start_chars_hint`), so the
   * CLI's lexer need not work them out at each start. A hint that left a character out would make the lexer
   * skip that token wherever it starts with it; here chevrotain's own analysis of the patterns (a lexer built
   * from the same tokens without hints) must find exactly the characters the hints list.
   */
  it("hint the characters their patterns can start with", () => {
    const hinted = new Lexer(ALL_TOKENS, { positionTracking: "onlyOffset" });
    // Validations off: the copies' `longer_alt` is the original Identifier, which is not among them (the
    // definitions themselves are validated above). ensureOptimizations: a pattern chevrotain cannot analyse throws.
    const unhinted = new Lexer(
      ALL_TOKENS.map((type) => ({ ...type, START_CHARS_HINT: undefined })),
      { positionTracking: "onlyOffset", ensureOptimizations: true, skipValidations: true },
    );
    expect(firstCharTable(hinted)).toEqual(firstCharTable(unhinted));
    // Not vacuous: every token that can start a match is somewhere in the table.
    expect(new Set(Object.values(firstCharTable(hinted)).flat())).toEqual(
      new Set(ALL_TOKENS.map((type) => type.name)),
    );
  });
});

/**
 * The token names the lexer tries first for each character class, from its first-character optimisation table
 * (chevrotain's internal `charCodeToPatternIdxToConfig`, by index of character code as the lexer maps them).
 */
function firstCharTable(lexer: Lexer): Record<number, string[]> {
  const internals = lexer as unknown as {
    charCodeToPatternIdxToConfig: Record<string, ({ tokenType: TokenType }[] | undefined)[]>;
  };
  const table = internals.charCodeToPatternIdxToConfig.defaultMode;
  if (!table) throw new Error("chevrotain's lexer has no first-character table (internals changed?)");
  const out: Record<number, string[]> = {};
  table.forEach((configs, index) => {
    if (configs) out[index] = configs.map((config) => config.tokenType.name);
  });
  return out;
}

/**
 * Likewise the parser: the CLI's skips chevrotain's grammar validations; built here with them, any definition
 * error (an ambiguity, left recursion, an unreachable alternative) throws "Parser Definition Errors detected".
 */
describe("the grammar", () => {
  it("passes chevrotain's parser validations", () => {
    expect(() => new ModelParser({ validate: true })).not.toThrow();
  });
});
