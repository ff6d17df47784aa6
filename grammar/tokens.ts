import { createToken, Lexer, type TokenType } from "chevrotain";

/**
 * The `.model` tokens. Declaration keywords (`model`, `input`, ...) are in the Identifier category, so they are
 * keywords only where the parser asks for them by name and ordinary identifiers everywhere else
 * (`strategy: model`, `@model`). `true`, `false` and `_` are not, so they are reserved everywhere.
 */
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "a name",
});

function keyword(word: string): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
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
export const True = createToken({ name: "True", pattern: /true/, longer_alt: Identifier, label: "'true'" });
export const False = createToken({
  name: "False",
  pattern: /false/,
  longer_alt: Identifier,
  label: "'false'",
});
export const Underscore = createToken({
  name: "Underscore",
  pattern: /_/,
  longer_alt: Identifier,
  label: "'_'",
});

export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  label: "a number",
});
/** JSON string syntax, so `JSON.parse` decodes the escapes. JSON forbids raw control characters, hence the range. */
export const StringLiteral = createToken({
  name: "StringLiteral",
  // eslint-disable-next-line no-control-regex
  pattern: /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/,
  label: "a string",
});
/** Matched only when a string does not close on its line, so the lexer can say so instead of "unexpected '\"'". */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"[^"\n\r]*/,
  group: "bad",
});

export const Arrow = createToken({ name: "Arrow", pattern: /->/, label: "'->'" });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/, label: "'{'" });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/, label: "';'" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='" });
export const At = createToken({ name: "At", pattern: /@/, label: "'@'" });

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\uFEFF]+/,
  group: Lexer.SKIPPED,
});
/** Comments: out of the parser's stream, kept in the lexer's `comments` group for the formatter. */
export const LineComment = createToken({
  name: "LineComment",
  pattern: /\/\/[^\n\r]*/,
  group: "comments",
});
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: "comments",
});
/** Kept out of the parser's stream (a separate group) and reported by `parse`. */
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
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
