import type { Severity } from "./diagnostic.js";
import { FRONTEND_MESSAGES } from "./messages-frontend.js";
import { SHAPE_MESSAGES } from "./messages-shapes.js";
import { PLACEMENT_MESSAGES } from "./messages-placement.js";
import { PIPELINE_MESSAGES } from "./messages-pipeline.js";

/**
 * Every diagnostic mgpuc can print, keyed by a stable code. Codes are grouped by the stage that raises them:
 * MG1xxx front end (syntax, names, blocks), MG2xxx types, arguments, shapes and data, MG3xxx placement.
 * Messages use `{0}`-style placeholders (TypeScript's diagnosticMessages.json habit). A code, once released,
 * keeps its meaning.
 */
export interface MessageEntry {
  readonly severity: Severity;
  readonly message: string;
}

export const MESSAGES = {
  ...FRONTEND_MESSAGES,
  ...SHAPE_MESSAGES,
  ...PLACEMENT_MESSAGES,
  ...PIPELINE_MESSAGES,
} as const satisfies Record<string, MessageEntry>;

export type MessageCode = keyof typeof MESSAGES;
