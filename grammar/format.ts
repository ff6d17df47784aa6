import type { IToken, TokenType } from "chevrotain";
import type { Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../compiler/diagnostics/span.js";
import { parse } from "./parse.js";
import type { FileAst, Statement } from "./ast.js";
import * as T from "./tokens.js";

/**
 * `mgpuc fmt`'s canonical layout of a `.model` file, from its tokens and comments (the parser only says whether
 * the file is well formed: one with syntax errors is never rewritten):
 * - two spaces per `{` level; `}` on a line of its own; a statement per line (`;` becomes a line break);
 * - `->` and `=` spaced; a space after `,` and `:`, none before; none inside `()` and `[]`; a call's `(` and a
 *   dtype's `[` against their name (`dense(10)`, `int32[6]`), `@` against its hint;
 * - each statement and section entry on a line of its own (a one-statement `repeat { ... }` written on one line
 *   may stay so); blank lines kept at most one (none after `{` or before `}`); a chain continued on the next line
 *   (`-> relu`) indented one level more; a call or list written over several lines is joined onto one (unless a
 *   comment inside it ends a line);
 * - comments kept where they were: at the end of their line, or on a line of their own.
 * Idempotent: formatting formatted text changes nothing.
 */
export function formatModelText(
  text: string,
  path = "<input>",
): { readonly text: string } | { readonly diagnostics: readonly Diagnostic[] } {
  const parsed = parse(new SourceFile(path, text));
  if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics };
  const lexed = T.MODEL_LEXER.tokenize(text);
  const items = [...lexed.tokens, ...(lexed.groups["comments"] ?? [])].sort(
    (a, b) => a.startOffset - b.startOffset,
  );
  return { text: layout(text, items, statementStarts(parsed.ast)) };
}

/** Where each statement and section entry starts, and which `repeat`s hold one statement (they may stay inline). */
interface Statements {
  readonly starts: ReadonlySet<number>;
  readonly singleRepeats: ReadonlySet<number>;
}

function statementStarts(ast: FileAst): Statements {
  const starts = new Set<number>();
  const singleRepeats = new Set<number>();
  const visit = (body: readonly Statement[]) => {
    for (const statement of body) {
      starts.add(statement.span.start);
      if (statement.kind === "repeat") {
        if (statement.body.length <= 1) singleRepeats.add(statement.span.start);
        visit(statement.body);
      }
    }
  };
  for (const declaration of ast.declarations) {
    if (declaration.kind === "model" || declaration.kind === "block") visit(declaration.body);
    else for (const entry of declaration.entries) starts.add(entry.span.start);
  }
  return { starts, singleRepeats };
}

const is = (token: IToken | undefined, ...types: TokenType[]) =>
  token !== undefined && types.includes(token.tokenType);

const OPENERS = [T.LParen, T.LBracket];
const CLOSERS = [T.RParen, T.RBracket];

/** Whether `prev` and `next`, on one line, are written with a space between them. */
function spaced(prev: IToken, next: IToken): boolean {
  if (is(next, T.LineComment, T.BlockComment)) return true;
  if (is(prev, T.LParen, T.LBracket, T.At)) return false;
  if (is(next, T.RParen, T.RBracket, T.Comma, T.Colon)) return false;
  // A call (`dense(`, `@stage(`, `csv(`) and a dtype's shape (`int32[6]`).
  if (is(next, T.LParen, T.LBracket) && is(prev, T.Identifier, T.Underscore)) return false;
  return true;
}

/** The one-statement `repeat` blocks written on one line (`repeat 3 { residual(_, 16) }`): they stay so. */
function inlineBlocks(
  text: string,
  items: readonly IToken[],
  singleRepeats: ReadonlySet<number>,
): Set<IToken> {
  const inline = new Set<IToken>();
  const open: { brace: IToken; index: number }[] = [];
  items.forEach((item, index) => {
    const repeat = items[index - 2];
    if (is(item, T.LBrace) && is(repeat, T.Repeat) && singleRepeats.has(repeat!.startOffset))
      open.push({ brace: item, index });
    else if (is(item, T.LBrace)) open.push({ brace: items[index]!, index: -1 });
    else if (is(item, T.RBrace)) {
      const start = open.pop();
      if (!start || start.index < 0) return;
      const inside = items.slice(start.index + 1, index);
      const body = text.slice(start.brace.startOffset, item.startOffset);
      if (!body.includes("\n") && !inside.some((t) => is(t, T.Semicolon, T.LBrace, T.LineComment))) {
        inline.add(start.brace);
        inline.add(item);
      }
    }
  });
  return inline;
}

/** The column `token` starts at in `text`. */
function columnOf(text: string, token: IToken): number {
  return token.startOffset - (text.lastIndexOf("\n", token.startOffset - 1) + 1);
}

function layout(text: string, items: readonly IToken[], statements: Statements): string {
  const inline = inlineBlocks(text, items, statements.singleRepeats);
  const lines: string[] = [];
  let line = "";
  let depth = 0;
  let nesting = 0;
  let breakPending = false;
  let prev: IToken | undefined;
  const newline = (indent: number, blank: boolean) => {
    if (line.trim() !== "") lines.push(line.trimEnd());
    if (blank && lines.length > 0 && lines.at(-1) !== "") lines.push("");
    line = "  ".repeat(Math.max(0, indent));
  };
  for (const item of items) {
    if (is(item, T.Semicolon)) {
      breakPending = true;
      prev = item;
      continue;
    }
    const between = prev ? text.slice(prev.startOffset + prev.image.length, item.startOffset) : "";
    const breaks = (between.match(/\n/g) ?? []).length;
    const closing = is(item, T.RBrace);
    const atStatement = nesting === 0;
    let breakHere =
      prev !== undefined &&
      (is(prev, T.LineComment) ||
        (is(prev, T.LBrace) && !inline.has(prev)) ||
        (closing && !inline.has(item)) ||
        breakPending ||
        (statements.starts.has(item.startOffset) && !inline.has(prev)) ||
        (is(prev, T.RBrace) && !is(item, T.Comma, T.RParen, T.RBracket)) ||
        (breaks > 0 && (atStatement || is(item, T.LineComment, T.BlockComment))));
    // A block comment that followed code on its line stays there.
    if (is(item, T.BlockComment) && breaks === 0) breakHere = false;
    if (breakHere) {
      const continuation = atStatement && (is(item, T.Arrow) || is(prev, T.Arrow));
      const indent = depth - (closing ? 1 : 0) + (nesting > 0 || continuation ? 1 : 0);
      const blank = breaks >= 2 && !closing && !is(prev, T.LBrace);
      newline(indent, blank);
    } else if (prev !== undefined && line.trim() !== "" && is(item, T.LineComment, T.BlockComment)) {
      // A comment after code keeps its column where the code before it allows (aligned comments stay aligned).
      line = line.padEnd(Math.max(line.length + 1, columnOf(text, item)));
    } else if (prev !== undefined && line.trim() !== "" && spaced(prev, item)) {
      line += " ";
    }
    line += item.image;
    breakPending = false;
    if (is(item, T.LBrace)) depth++;
    else if (closing) depth = Math.max(0, depth - 1);
    else if (is(item, ...OPENERS)) nesting++;
    else if (is(item, ...CLOSERS)) nesting = Math.max(0, nesting - 1);
    prev = item;
  }
  newline(0, false);
  while (lines.at(-1) === "") lines.pop();
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
