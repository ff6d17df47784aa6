import { compileSource } from "../../compiler/pipeline.js";
import { explainJson, explainText } from "../../compiler/emit/explain.js";
import { compileOptionsFrom, type CompileFlags } from "./compile.js";
import { EXIT } from "../exit-codes.js";
import { loadSource } from "../load-source.js";
import { printDiagnostics } from "../output.js";

/** `mgpuc explain FILE`: per layer, the configuration chosen, its predicted cost, the runner-up, and why. */
export function explainCommand(file: string, flags: Omit<CompileFlags, "emit">): number {
  const source = loadSource(file);
  const result = compileSource(source, compileOptionsFrom(flags));
  printDiagnostics(result.diagnostics, source, { json: flags.json === true, stream: process.stderr });
  if (!result.plan || result.diagnostics.some((d) => d.severity === "error")) return EXIT.inputErrors;
  process.stdout.write(
    flags.json === true ? `${JSON.stringify(explainJson(result.plan), null, 2)}\n` : explainText(result.plan),
  );
  return EXIT.ok;
}
