import { Socket } from "node:net";
import { initBackend } from "../backend/index.js";
import { CollectiveAborted } from "../collectives/index.js";
import { exerciseCollective } from "../collectives/rank-worker.js";
import { Replica } from "../train/replica.js";
import type { ChildMessage } from "./child-protocol.js";
import { openFifoMesh, removeFifoMesh } from "./fifo-mesh.js";
import { FrameReader, encodeFrame, packFloats } from "./frames.js";
import { readInitFile } from "./init-file.js";
import { superviseChild } from "./child-lifecycle.js";
import { PipeCollective } from "./pipe-collective.js";

/**
 * A device process: the same replica as a worker thread, its collectives over named pipes to its peers, its
 * control frames on stdin (from the parent) and fd 3 (to the parent). Messages are handled strictly in order.
 * Stdin closing means the parent is gone: exit, so no process outlives its run.
 */
const rank = Number(process.env.MGPUC_RANK);
const size = Number(process.env.MGPUC_SIZE);
const out = new Socket({ fd: 3, readable: false, writable: true });
// Before the mesh opens (it blocks until every peer is up): a Ctrl-C then must not kill the device either.
superviseChild({
  out,
  onSignal: (signal) => reply({ type: "interrupt", signal }),
  onParentGone: exitWithParent,
});
const collective = new PipeCollective(
  openFifoMesh(process.env.MGPUC_MESH!, rank, size),
  rank,
  size,
  Number(process.env.MGPUC_BUCKET ?? 1 << 20),
);
let replica: Replica | null = null;
reply({ type: "hello", rank, cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? null });
let queue: Promise<void> = Promise.resolve();

function reply(header: unknown, body?: Uint8Array): void {
  out.write(encodeFrame(header, body));
}

async function handle(message: ChildMessage, body: Uint8Array): Promise<void> {
  switch (message.type) {
    case "init": {
      const backend = await initBackend(message.backend);
      replica = await Replica.create(readInitFile(message), collective);
      return reply({ type: "ready", backend: backend.name });
    }
    case "step": {
      const indices = new Uint32Array(body.buffer, body.byteOffset, body.byteLength / 4);
      return reply({ type: "stepDone", step: message.step, ...replica!.step(message.step, indices) });
    }
    case "evaluate":
      return reply({ type: "evaluated", ...replica!.evaluate(message.batch) });
    case "state": {
      if (rank !== 0) return reply({ type: "state", lengths: [], slots: [] });
      const { weights, optimizerState } = await replica!.state();
      const slots = optimizerState.map(({ name, shape }) => ({ name, shape }));
      const arrays = [...weights, ...optimizerState.map((s) => s.data)];
      return reply({ type: "state", lengths: arrays.map((a) => a.length), slots }, packFloats(arrays));
    }
    case "collectives": {
      const results = exerciseCollective(collective, message);
      return reply({ type: "collectivesDone", lengths: results.map((r) => r.length) }, packFloats(results));
    }
  }
}

const reader = new FrameReader();
process.stdin.on("data", (chunk: Buffer) => {
  for (const { header, body } of reader.push(chunk)) {
    queue = queue
      .then(() => handle(header as ChildMessage, body))
      .catch((error: unknown) => {
        const aborted = error instanceof CollectiveAborted;
        reply({ type: "error", message: error instanceof Error ? error.message : String(error), aborted });
      });
  }
});

/** The parent is gone or done: rank 0 removes the pipes and the init file, which nobody else would. */
function exitWithParent(): void {
  if (rank === 0) removeFifoMesh(process.env.MGPUC_MESH!);
  process.exit(0);
}

process.stdin.on("end", exitWithParent);
