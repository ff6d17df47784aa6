import type { MessageEntry } from "./messages.js";

/** MG19xx: raised by the pipeline itself (compiler/pipeline.ts), e.g. choosing which model of a file to compile. */
export const PIPELINE_MESSAGES = {
  MG1901: { severity: "error", message: "no model named '{0}' in this file (models: {1})" },
  MG1902: { severity: "error", message: "this file has {0} models ({1}); choose one with --model NAME" },
} as const satisfies Record<string, MessageEntry>;
