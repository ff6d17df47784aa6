import type { Diagnostic } from "./diagnostic.js";
import type { SourceFile, Span } from "./span.js";

export interface RenderOptions {
  /** ANSI colour; the CLI turns it on only when stdout is a TTY. */
  readonly color: boolean;
}

const ansi = (code: string, on: boolean) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** Looks up the source of a span's file; diagnostics may come from several files. */
export type SourceLookup = (file: string) => SourceFile | undefined;

/**
 * Renders one diagnostic the way compilers do:
 *
 *   mnist.model:3:3 error MG1003: unknown layer 'dens'
 *     3 |   dens(128, activation: relu)
 *       |   ~~~~
 *     hint: did you mean 'dense'?
 */
export function renderDiagnostic(d: Diagnostic, sources: SourceLookup, options: RenderOptions): string {
  const red = ansi(d.severity === "error" ? "31;1" : "33;1", options.color);
  const bold = ansi("1", options.color);
  const dim = ansi("2", options.color);
  const cyan = ansi("36", options.color);
  const lines: string[] = [];
  const source = sources(d.span.file);
  const where = source ? location(source, d.span) : d.span.file;
  lines.push(`${bold(where)} ${red(`${d.severity} ${d.code}`)}: ${d.message}`);
  if (source) lines.push(...excerpt(source, d.span, dim, red));
  if (d.hint) lines.push(`  ${cyan("hint")}: ${d.hint}`);
  for (const note of d.notes ?? []) {
    const noteSource = sources(note.span.file);
    lines.push(
      `  ${dim("note")}: ${note.message}${noteSource ? ` at ${location(noteSource, note.span)}` : ""}`,
    );
    if (noteSource) lines.push(...excerpt(noteSource, note.span, dim, dim).map((l) => `  ${l}`));
  }
  return lines.join("\n");
}

/** All diagnostics, then a count line (`2 errors`, `1 error, 1 warning`), or "" when there are none. */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: SourceLookup,
  options: RenderOptions,
): string {
  if (diagnostics.length === 0) return "";
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const counts = [
    errors > 0 ? `${errors} error${errors === 1 ? "" : "s"}` : "",
    warnings > 0 ? `${warnings} warning${warnings === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return `${diagnostics.map((d) => renderDiagnostic(d, sources, options)).join("\n")}\n${counts.join(", ")}\n`;
}

export function location(source: SourceFile, span: Span): string {
  const { line, column } = source.position(span.start);
  return `${source.path}:${line}:${column}`;
}

/** The span's first line with `~~~` under the span (a single `^` for an empty span, e.g. at end of file). */
function excerpt(
  source: SourceFile,
  span: Span,
  dim: (s: string) => string,
  mark: (s: string) => string,
): string[] {
  const start = source.position(span.start);
  const end = source.position(Math.max(span.start, span.end));
  const full = source.lineText(start.line).replace(/\t/g, " ");
  const gutter = String(start.line);
  const pad = " ".repeat(gutter.length);
  const lastColumn = end.line === start.line ? end.column : full.length + 1;
  // A very long line (generated code, a minified list) is cut to a window around the span, marked with `…`.
  const from = full.length > MAX_EXCERPT ? Math.max(0, start.column - 1 - CONTEXT) : 0;
  const to = Math.min(full.length, from + MAX_EXCERPT);
  const text = `${from > 0 ? "…" : ""}${full.slice(from, to)}${to < full.length ? "…" : ""}`;
  const column = start.column - from + (from > 0 ? 1 : 0);
  const width = Math.max(1, Math.min(lastColumn - start.column, to - (start.column - 1)));
  const marker = span.end > span.start ? "~".repeat(width) : "^";
  return [
    `  ${dim(`${gutter} |`)} ${text}`,
    `  ${dim(`${pad} |`)} ${" ".repeat(Math.max(0, column - 1))}${mark(marker)}`,
  ];
}

/** Longest excerpt shown, and how much of the line before the span it keeps. */
const MAX_EXCERPT = 120;
const CONTEXT = 40;
