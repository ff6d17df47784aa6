import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { compileSource } from "../../compiler/pipeline.js";
import { EXIT } from "../exit-codes.js";
import { loadSource } from "../load-source.js";
import { printDiagnostics } from "../output.js";
import { writeStdoutDirect } from "../stdout.js";

/**
 * `mgpuc check FILE`: every diagnostic the compiler can find without planning (syntax, names, arguments,
 * shapes, data), for every model of the file unless `--model` names one. Exit 1 when there are errors.
 */
export function checkCommand(file: string, flags: { json?: boolean; model?: string }): number {
  const source = loadSource(file);
  const front = compileSource(source, { stopAfter: "expand-blocks" });
  const names =
    flags.model !== undefined || front.diagnostics.some((d) => d.severity === "error")
      ? [flags.model]
      : (front.models ?? []).map((m) => m.name);
  const diagnostics = new Map<string, Diagnostic>();
  let layers = 0;
  for (const name of names.length > 0 ? names : [undefined]) {
    const result = compileSource(source, {
      stopAfter: "check-data",
      ...(name !== undefined ? { model: name } : {}),
    });
    // The front end's diagnostics come back from every model's run: keep each once.
    for (const d of result.diagnostics)
      diagnostics.set(`${d.code}@${d.span.start}:${d.span.end}:${d.message}`, d);
    layers += result.graph?.nodes.length ?? 0;
  }
  const all = [...diagnostics.values()].sort((a, b) => a.span.start - b.span.start);
  const json = flags.json === true;
  // Nothing to print is not printed: a clean check writes its one line without node's stdout stream (stdout.ts).
  if (all.length > 0) printDiagnostics(all, source, { json, stream: process.stdout });
  const errors = all.filter((d) => d.severity === "error").length;
  if (!json && all.length === 0) {
    const models = names.filter((n) => n !== undefined).join(", ") || "no model";
    writeStdoutDirect(`${file}: ok (${models}; ${layers} layers)\n`);
  }
  return errors > 0 ? EXIT.inputErrors : EXIT.ok;
}
