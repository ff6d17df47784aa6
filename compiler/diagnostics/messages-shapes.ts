import type { MessageEntry } from "./messages.js";

/** MG2xxx: argument types and ranges, shapes, data sources, loss/output agreement. */
export const SHAPE_MESSAGES = {} as const satisfies Record<string, MessageEntry>;
