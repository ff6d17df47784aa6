import { readFileSync, statSync } from "node:fs";
import { SourceFile } from "../compiler/diagnostics/span.js";
import { UsageError } from "./exit-codes.js";

/** Reads a `.model` file; a missing or unreadable file is a usage error (exit 2), not a crash. */
export function loadSource(path: string): SourceFile {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${path} is a folder, not a .model file`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code);
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
  return new SourceFile(path, text);
}
