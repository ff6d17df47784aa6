import { Socket } from "node:net";
import type { DeviceHandler } from "../devices/device-side.js";
import { errorReply } from "../devices/error-reply.js";
import { superviseChild } from "./child-lifecycle.js";
import { openFifoMesh, removeFifoMesh } from "./fifo-mesh.js";
import { FrameReader } from "./frames.js";
import { decodeMessage, encodeMessage } from "./message-codec.js";

/**
 * The device-process side of every engine's entry: messages arrive as frames on stdin and replies leave on
 * fd 3 (`message-codec.ts`), handled strictly in order; the mesh of named pipes to the peers is opened first
 * (it blocks until every peer is up) and then a `hello` says what the process runs with. Stdin closing means
 * the parent is gone or done: exit, so no process outlives its run (`superviseChild` covers signals and
 * orphaning).
 */
export function serveChild<Message, Reply>(handler: DeviceHandler<Message, Reply>): void {
  const rank = Number(process.env.MGPUC_RANK);
  const size = Number(process.env.MGPUC_SIZE);
  const folder = process.env.MGPUC_MESH!;
  const bucket = Number(process.env.MGPUC_BUCKET ?? 1 << 20);
  const out = new Socket({ fd: 3, readable: false, writable: true });
  const send = (message: unknown): void => void out.write(encodeMessage(message));
  /** Rank 0 removes the pipes and the shared file, which nobody else would. */
  const exitWithParent = (): void => {
    if (rank === 0) removeFifoMesh(folder);
    process.exit(0);
  };
  // Before the mesh opens: a Ctrl-C then must not kill the device either.
  superviseChild({
    out,
    onSignal: (signal) => send({ type: "interrupt", signal }),
    onParentGone: exitWithParent,
  });
  const side = { kind: "process", rank, size, mesh: openFifoMesh(folder, rank, size), bucket } as const;
  send({ type: "hello", rank, cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? null });
  let queue: Promise<void> = Promise.resolve();
  const reader = new FrameReader(decodeMessage);
  process.stdin.on("data", (chunk: Buffer) => {
    for (const { header } of reader.push(chunk)) {
      queue = queue
        .then(async () => send((await handler(header as Message, side)).reply))
        .catch((error: unknown) => send(errorReply(error)));
    }
  });
  process.stdin.on("end", exitWithParent);
}
