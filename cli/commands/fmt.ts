import { writeFileSync } from "node:fs";
import { formatModelText } from "../../grammar/format.js";
import { EXIT, UsageError } from "../exit-codes.js";
import { loadSource } from "../load-source.js";
import { printDiagnostics } from "../output.js";

/**
 * `mgpuc fmt FILE.model... [--check|--write]`: the canonical layout (grammar/format.ts). Without a flag the
 * formatted text goes to stdout; `--write` rewrites the files that change and names them; `--check` changes
 * nothing and exits 1 naming the files that would change (for CI). A file with syntax errors is reported with
 * its diagnostics and left untouched (exit 1).
 */
export function fmtCommand(files: readonly string[], flags: { check?: boolean; write?: boolean }): number {
  if (flags.check && flags.write) throw new UsageError("--check and --write: give one of them");
  let failed = false;
  for (const file of files) {
    const source = loadSource(file);
    const result = formatModelText(source.text, file);
    if ("diagnostics" in result) {
      printDiagnostics(result.diagnostics, source, { json: false, stream: process.stderr });
      process.stderr.write(`${file}: not formatted (syntax errors)\n`);
      failed = true;
      continue;
    }
    const changes = result.text !== source.text;
    if (flags.check) {
      if (changes) {
        process.stdout.write(`${file}\n`);
        failed = true;
      }
    } else if (flags.write) {
      if (changes) {
        writeFileSync(file, result.text);
        process.stdout.write(`formatted ${file}\n`);
      }
    } else {
      process.stdout.write(result.text);
    }
  }
  return failed ? EXIT.inputErrors : EXIT.ok;
}
