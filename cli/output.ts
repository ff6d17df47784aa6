import type { Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import { renderDiagnostics } from "../compiler/diagnostics/render.js";
import type { SourceFile } from "../compiler/diagnostics/span.js";
import { writeOutputFile } from "./output-file.js";

/** Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/** Prints diagnostics as text (with source excerpts) or, with `json`, one JSON object per line. */
export function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  source: SourceFile,
  options: { json: boolean; stream: NodeJS.WriteStream },
): void {
  if (options.json) {
    for (const d of diagnostics) options.stream.write(`${JSON.stringify(diagnosticJson(d, source))}\n`);
    return;
  }
  const text = renderDiagnostics(diagnostics, (file) => (file === source.path ? source : undefined), {
    color: useColor(options.stream),
  });
  options.stream.write(text);
}

/** The `--json` form of a diagnostic: positions resolved to line and column for tools. */
export function diagnosticJson(d: Diagnostic, source: SourceFile) {
  const at = (span: Diagnostic["span"]) => {
    const start = source.position(span.start);
    const end = source.position(span.end);
    return {
      file: span.file,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
    };
  };
  return {
    event: "diagnostic",
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...at(d.span),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
    ...(d.notes ? { notes: d.notes.map((n) => ({ message: n.message, ...at(n.span) })) } : {}),
  };
}

/** Writes to `-o FILE` (creating folders) or to stdout. */
export function writeOutput(text: string | Uint8Array, outFile: string | undefined): void {
  if (outFile === undefined) {
    process.stdout.write(text);
    return;
  }
  writeOutputFile(outFile, text);
}

/**
 * A reader that went away (`mgpuc explain … | head`) is not an error, and no reason to stop: the rest of the
 * output is dropped and the command finishes as it would have (a training run still saves its checkpoints).
 * Any other failure to write is said once, plainly, without a stack.
 *
 * The handler is attached when `process.stdout` is first built, not by building it here: node builds the stream
 * on first use, ~5 ms that a command printing through stdout.ts (`check`) does without (issue 14).
 */
export function tolerateClosedStdout(): void {
  const builtIn = Object.getOwnPropertyDescriptor(process, "stdout");
  const build = builtIn?.get;
  if (!builtIn?.configurable || !build) {
    tolerateErrors(process.stdout);
    return;
  }
  Object.defineProperty(process, "stdout", {
    ...builtIn,
    get() {
      Object.defineProperty(process, "stdout", builtIn);
      const stream = build.call(process) as NodeJS.WriteStream;
      tolerateErrors(stream);
      return stream;
    },
  });
}

function tolerateErrors(stdout: NodeJS.WriteStream): void {
  let told = false;
  stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") {
      stdout.destroy();
      return;
    }
    if (told) return;
    told = true;
    process.stderr.write(`error: cannot write to standard output: ${error.message}\n`);
  });
}
