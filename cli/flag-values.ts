import { parse } from "../grammar/index.js";
import { DiagnosticBag } from "../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../compiler/diagnostics/span.js";
import type { DataSource, Loss } from "../compiler/ir/config.js";
import { expandBlocks } from "../compiler/passes/expand-blocks.js";
import { resolveTraining } from "../compiler/passes/resolve-config.js";
import { UsageError } from "./exit-codes.js";

/**
 * `--data` and `--loss` take the same values as the `train` section. Rather than a second parser, the value is
 * read by the language's own front end inside a one-line `train` section, so both accept exactly the same
 * forms and give the same messages. Relative paths are against the current folder.
 */
function resolveFlag(key: "data" | "loss", text: string) {
  const wrapper = `model Flags { input x: [1] }\ntrain Flags { ${key}: ${text} }\n`;
  const source = new SourceFile(`--${key}`, wrapper);
  const diagnostics = new DiagnosticBag();
  const ctx = { diagnostics, source };
  const parsed = parse(source);
  for (const d of parsed.diagnostics) diagnostics.add(d);
  const models = diagnostics.hasErrors() ? [] : expandBlocks(parsed.ast, ctx);
  const training =
    models[0] && !diagnostics.hasErrors() ? resolveTraining(models[0], ctx, process.cwd()) : undefined;
  const firstError = diagnostics.items.find((d) => d.severity === "error");
  if (firstError || !training) {
    const hint = firstError?.hint ? ` (${firstError.hint})` : "";
    throw new UsageError(`--${key} ${text}: ${firstError?.message ?? "not understood"}${hint}`);
  }
  return training;
}

export function parseDataFlag(text: string): DataSource {
  const data = resolveFlag("data", text).data;
  if (!data) throw new UsageError(`--data ${text}: not a data source`);
  return data;
}

export function parseLossFlag(text: string): Loss {
  const loss = resolveFlag("loss", text).loss;
  if (!loss) throw new UsageError(`--loss ${text}: not a loss`);
  return loss;
}
