import { compileSource } from "../../compiler/pipeline.js";
import { EXIT } from "../exit-codes.js";
import { loadSource } from "../load-source.js";
import { printDiagnostics } from "../output.js";

/**
 * `mgpuc check FILE`: every diagnostic the compiler can find without planning (syntax, names, arguments,
 * shapes, data), then a summary line. Exit 1 when there are errors.
 */
export function checkCommand(file: string, flags: { json?: boolean; model?: string }): number {
  const source = loadSource(file);
  const result = compileSource(source, {
    stopAfter: "check-data",
    ...(flags.model !== undefined ? { model: flags.model } : {}),
  });
  const json = flags.json === true;
  printDiagnostics(result.diagnostics, source, { json, stream: process.stdout });
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (!json && result.diagnostics.length === 0) {
    const layers = result.graph ? result.graph.nodes.length : 0;
    process.stdout.write(`${file}: ok (${result.model?.name ?? "model"}, ${layers} layers)\n`);
  }
  return errors > 0 ? EXIT.inputErrors : EXIT.ok;
}
