import { CollectiveAborted } from "../collectives/collective.js";
import type { ErrorReply } from "./device-group.js";

/** The error reply for a failed message: `aborted` when it only stopped because another device failed. */
export function errorReply(error: unknown): ErrorReply {
  const aborted = error instanceof CollectiveAborted;
  return { type: "error", message: error instanceof Error ? error.message : String(error), aborted };
}
