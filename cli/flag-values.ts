import { parse } from "../grammar/index.js";
import { DiagnosticBag } from "../compiler/diagnostics/diagnostic.js";
import { SourceFile } from "../compiler/diagnostics/span.js";
import type { DataSource, TrainingOverrides } from "../compiler/ir/config.js";
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
  // Named after the flag and its value: diagnostics about the value are located at `--data VALUE`.
  const source = new SourceFile(`--${key} ${text}`, wrapper);
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

/**
 * `--data` and `--loss` as overrides of the file's train section, each with the span of its value (in a source
 * named after the flag), so the compiler's data and loss checks run on them and point at the flag.
 */
export function trainingOverrides(flags: { data?: string; loss?: string }): TrainingOverrides {
  const data = flags.data === undefined ? undefined : resolveFlag("data", flags.data);
  const loss = flags.loss === undefined ? undefined : resolveFlag("loss", flags.loss);
  if (data && (!data.data || !data.spans.data))
    throw new UsageError(`--data ${flags.data}: not a data source`);
  if (loss && (!loss.loss || !loss.spans.loss)) throw new UsageError(`--loss ${flags.loss}: not a loss`);
  return {
    ...(data?.data && data.spans.data ? { data: { value: data.data, span: data.spans.data } } : {}),
    ...(loss?.loss && loss.spans.loss ? { loss: { value: loss.loss, span: loss.spans.loss } } : {}),
  };
}
