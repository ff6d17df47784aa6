import { isMainThread, parentPort } from "node:worker_threads";
import { serveChild } from "../process/serve-child.js";
import type { DeviceHandler } from "./device-side.js";
import { errorReply } from "./error-reply.js";

/**
 * Runs an entry module's `handler` on whichever transport started it: a worker thread (messages by
 * `postMessage`) or a device process (`serveChild`: frames on stdin and fd 3, the mesh, the child lifecycle).
 */
export function serveDevice<Message, Reply>(handler: DeviceHandler<Message, Reply>): void {
  if (isMainThread) return serveChild(handler);
  const port = parentPort!;
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (message: Message) => {
    queue = queue
      .then(async () => {
        const { reply, transfer } = await handler(message, { kind: "thread" });
        port.postMessage(reply, [...(transfer ?? [])]);
      })
      .catch((error: unknown) => port.postMessage(errorReply(error)));
  });
}
