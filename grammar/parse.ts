import type { CstNode, IToken } from "chevrotain";
import { diagnostic, type Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import type { SourceFile } from "../compiler/diagnostics/span.js";
import type { FileAst } from "./ast.js";
import { AstBuilder } from "./build-ast.js";
import { modelParser, describeToken } from "./parser.js";
import {
  LBrace,
  LBracket,
  LParen,
  MODEL_LEXER,
  RBrace,
  RBracket,
  RParen,
  UnterminatedComment,
} from "./tokens.js";

/**
 * How deeply brackets may nest. The parser is recursive descent, so nesting is checked on the token stream
 * before parsing: thousands of `[` are a diagnostic, not a stack overflow. Real models nest a handful deep.
 */
export const MAX_NESTING = 100;

export interface ParseResult {
  readonly ast: FileAst;
  readonly diagnostics: Diagnostic[];
}

/** Parses a `.model` file. Never throws: every problem, however broken the input, is a diagnostic. */
export function parse(source: SourceFile): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const builder = new AstBuilder(source);
  const cst = parseToCst(source, diagnostics, builder);
  if (!cst) {
    return { ast: { kind: "file", span: source.span(0, source.text.length), declarations: [] }, diagnostics };
  }
  const ast = builder.file(cst);
  diagnostics.push(...builder.diagnostics);
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { ast, diagnostics };
}

/**
 * Lexes and parses; undefined when nesting is too deep to parse. A separate function so that nothing holds the
 * token vector once the CST exists: the builder frees the CST as it goes, which halves peak memory on big files.
 */
function parseToCst(source: SourceFile, diagnostics: Diagnostic[], builder: AstBuilder): CstNode | undefined {
  const lexed = MODEL_LEXER.tokenize(source.text);
  for (const error of lexed.errors) {
    const char = source.text.slice(error.offset, error.offset + 1);
    const what =
      char.trim() === "" ? `character U+${char.charCodeAt(0).toString(16).padStart(4, "0")}` : `'${char}'`;
    diagnostics.push(
      diagnostic("MG1001", source.span(error.offset, error.offset + error.length), [`unexpected ${what}`]),
    );
  }
  for (const bad of lexed.groups.bad ?? []) {
    const what =
      bad.tokenType === UnterminatedComment
        ? "unterminated comment: '/*' has no '*/'"
        : "unterminated string";
    diagnostics.push(diagnostic("MG1001", source.span(bad.startOffset, bad.startOffset + 1), [what]));
  }
  const tooDeep = firstTooDeep(lexed.tokens);
  if (tooDeep) {
    const span = source.span(tooDeep.startOffset, tooDeep.startOffset + 1);
    diagnostics.push(diagnostic("MG1002", span, [MAX_NESTING]));
    return undefined;
  }
  const parser = modelParser();
  parser.input = lexed.tokens;
  parser.onStatement = (statement, lastToken) => builder.early(statement, lastToken);
  let cst: CstNode;
  try {
    cst = parser.file();
  } finally {
    parser.onStatement = undefined;
  }
  for (const error of parser.errors) {
    const token = error.token;
    const start = Number.isNaN(token.startOffset) ? source.text.length : token.startOffset;
    const end = Number.isNaN(token.startOffset) ? start : start + token.image.length;
    const message = error.message || `unexpected ${describeToken(token)}`;
    diagnostics.push(diagnostic("MG1001", source.span(start, end), [message]));
  }
  // The parser is a long-lived singleton: let go of this file's tokens.
  parser.input = [];
  return cst;
}

function firstTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === LBracket || type === LParen || type === LBrace) {
      if (++depth > MAX_NESTING) return token;
    } else if (type === RBracket || type === RParen || type === RBrace) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}
