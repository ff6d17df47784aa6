import type { MessageEntry } from "./messages.js";

/** MG3xxx: devices, memory, hints, strategies, profiles. */
export const PLACEMENT_MESSAGES = {} as const satisfies Record<string, MessageEntry>;
