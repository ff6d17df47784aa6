import { CollectiveAborted } from "../collectives/collective.js";
import type { ErrorReply } from "./device-group.js";

/** The error reply for a failed message: `aborted` when it only stopped because another device failed. */
export function errorReply(error: unknown): ErrorReply {
  const aborted = error instanceof CollectiveAborted;
  // MGPUC_DEBUG=1 (as in the CLI) carries the device's stack along with its message.
  const detail = process.env.MGPUC_DEBUG && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  return {
    type: "error",
    message: `${error instanceof Error ? error.message : String(error)}${detail}`,
    aborted,
  };
}
