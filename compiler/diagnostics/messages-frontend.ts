import type { MessageEntry } from "./messages.js";

/** MG1xxx: lexing, parsing, names, blocks and repeat, sections. */
export const FRONTEND_MESSAGES = {
  MG1001: { severity: "error", message: "syntax error: {0}" },
} as const satisfies Record<string, MessageEntry>;
