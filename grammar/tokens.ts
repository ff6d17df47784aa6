import { createToken, Lexer, type TokenType } from "chevrotain";

/**
 * Every token with a regular expression names the characters it can start with (`start_chars_hint`): without
 * them chevrotain's lexer parses each pattern (regexp-to-ast) at construction to find them, ~10 ms of every
 * start (issue 14). test/grammar/token-definitions.test.ts checks each hint against what that analysis finds.
 */
function charRange(first: string, last: string): string[] {
  const out: string[] = [];
  for (let code = first.charCodeAt(0); code <= last.charCodeAt(0); code++)
    out.push(String.fromCharCode(code));
  return out;
}
const NAME_START = [...charRange("A", "Z"), ...charRange("a", "z"), "_"];
const DIGITS = charRange("0", "9");

/**
 * The `.model` tokens. Declaration keywords (`model`, `input`, ...) are in the Identifier category, so they are
 * keywords only where the parser asks for them by name and ordinary identifiers everywhere else
 * (`strategy: model`, `@model`). `true`, `false` and `_` are not, so they are reserved everywhere.
 */
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  start_chars_hint: NAME_START,
  label: "a name",
});

function keyword(word: string): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    start_chars_hint: [word[0]!],
    longer_alt: Identifier,
    categories: [Identifier],
    label: `'${word}'`,
  });
}

export const Model = keyword("model");
export const Block = keyword("block");
export const Input = keyword("input");
export const Output = keyword("output");
export const Repeat = keyword("repeat");
export const Train = keyword("train");
export const Parallel = keyword("parallel");
export const True = createToken({
  name: "True",
  pattern: /true/,
  start_chars_hint: ["t"],
  longer_alt: Identifier,
  label: "'true'",
});
export const False = createToken({
  name: "False",
  pattern: /false/,
  start_chars_hint: ["f"],
  longer_alt: Identifier,
  label: "'false'",
});
export const Underscore = createToken({
  name: "Underscore",
  pattern: /_/,
  start_chars_hint: ["_"],
  longer_alt: Identifier,
  label: "'_'",
});

export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  start_chars_hint: ["-", ...DIGITS],
  label: "a number",
});
/** JSON string syntax, so `JSON.parse` decodes the escapes. JSON forbids raw control characters, hence the range. */
export const StringLiteral = createToken({
  name: "StringLiteral",
  // eslint-disable-next-line no-control-regex
  pattern: /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/,
  start_chars_hint: ['"'],
  label: "a string",
});
/** Matched only when a string does not close on its line, so the lexer can say so instead of "unexpected '\"'". */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"[^"\n\r]*/,
  start_chars_hint: ['"'],
  group: "bad",
});

/** Fixed strings, not regular expressions: chevrotain's lexer takes a string's first character as it is. */
export const Arrow = createToken({ name: "Arrow", pattern: "->", label: "'->'" });
export const LBrace = createToken({ name: "LBrace", pattern: "{", label: "'{'" });
export const RBrace = createToken({ name: "RBrace", pattern: "}", label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: "(", label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: ")", label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: "[", label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: "]", label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: ",", label: "','" });
export const Colon = createToken({ name: "Colon", pattern: ":", label: "':'" });
export const Semicolon = createToken({ name: "Semicolon", pattern: ";", label: "';'" });
export const Equals = createToken({ name: "Equals", pattern: "=", label: "'='" });
export const At = createToken({ name: "At", pattern: "@", label: "'@'" });

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\uFEFF]+/,
  start_chars_hint: [" ", "\t", "\r", "\n", "\f", "\v", "\uFEFF"],
  group: Lexer.SKIPPED,
});
/** Comments: out of the parser's stream, kept in the lexer's `comments` group for the formatter. */
export const LineComment = createToken({
  name: "LineComment",
  pattern: /\/\/[^\n\r]*/,
  start_chars_hint: ["/"],
  group: "comments",
});
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  start_chars_hint: ["/"],
  group: "comments",
});
/** Kept out of the parser's stream (a separate group) and reported by `parse`. */
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  start_chars_hint: ["/"],
  group: "bad",
});

/** Order matters: the first pattern that matches wins, so comments precede everything and keywords precede names. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  Arrow,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Equals,
  At,
  Model,
  Block,
  Input,
  Output,
  Repeat,
  Train,
  Parallel,
  True,
  False,
  Underscore,
  Identifier,
];

let lexer: Lexer | undefined;

/**
 * Built once, on first use: chevrotain's lexer analyses its patterns on construction, which commands that parse
 * nothing (`--version`, `--help`) never pay for.
 */
export const MODEL_LEXER: Pick<Lexer, "tokenize"> = {
  tokenize: (text, initialMode) =>
    (lexer ??= new Lexer(ALL_TOKENS, {
      positionTracking: "onlyOffset",
      ensureOptimizations: false,
      // The token definitions are fixed and checked by test/grammar (a lexer built with validations): skipping
      // them here saves 10–20 ms of every start.
      skipValidations: true,
    })).tokenize(text, initialMode),
};
