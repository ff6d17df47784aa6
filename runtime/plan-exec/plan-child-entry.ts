import { Socket } from "node:net";
import { initBackend } from "../backend/index.js";
import { CollectiveAborted } from "../collectives/index.js";
import {
  FrameReader,
  PipeCollective,
  encodeFrame,
  openFifoMesh,
  removeFifoMesh,
  superviseChild,
} from "../process/index.js";
import { PipeMailbox } from "./pipe-mailbox.js";
import { PlanReplica } from "./plan-replica.js";
import { type PlanChildMessage, decodeInit, encodeShards } from "./process-frames.js";
import { stagesOf } from "./stage-layout.js";

/**
 * A device process of a plan: the worker thread's `PlanReplica`, its stage's collective a `PipeCollective`
 * over the mesh pipes to the stage's devices, its stage links a `PipeMailbox` over the pipes to the others.
 * Control frames arrive on stdin and leave on fd 3; stdin closing means the parent is gone: exit.
 */
const rank = Number(process.env.MGPUC_RANK);
const size = Number(process.env.MGPUC_SIZE);
const mesh = process.env.MGPUC_MESH!;
const out = new Socket({ fd: 3, readable: false, writable: true });
// Before the mesh opens (it blocks until every peer is up): a Ctrl-C then must not kill the device either.
superviseChild({
  out,
  onSignal: (signal) => reply({ type: "interrupt", signal }),
  onParentGone: exitWithParent,
});
const ends = openFifoMesh(mesh, rank, size);
let replica: PlanReplica | null = null;
reply({ type: "hello", rank, cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? null });
let queue: Promise<void> = Promise.resolve();

function reply(header: unknown, body?: Uint8Array): void {
  out.write(encodeFrame(header, body));
}

async function handle(message: PlanChildMessage, body: Uint8Array): Promise<void> {
  switch (message.type) {
    case "init": {
      const backend = await initBackend(message.backend);
      const { devices, device } = message;
      const stage = stagesOf(message.plan).find((s) => s.devices.includes(device))!;
      const ranks = stage.devices.map((d) => devices.indexOf(d));
      const collective = new PipeCollective(
        { send: ranks.map((r) => ends.send[r]!), recv: ranks.map((r) => ends.recv[r]!) },
        stage.devices.indexOf(device),
        stage.devices.length,
        Number(process.env.MGPUC_BUCKET ?? 1 << 20),
      );
      const mailbox = new PipeMailbox(message.plan, device, devices, ends);
      replica = new PlanReplica(decodeInit(message, body), collective, mailbox);
      await replica.restore();
      return reply({ type: "ready", backend: backend.name });
    }
    case "step": {
      const indices = new Uint32Array(body.buffer, body.byteOffset, body.byteLength / 4);
      return reply({ type: "stepDone", ...replica!.step(message.step, indices) });
    }
    case "shards": {
      const { iterations, slots } = await replica!.optimizerShards();
      out.write(encodeShards(replica!.shards(), iterations, slots));
      return;
    }
    case "held":
      return reply({ type: "held", ...(await replica!.held()) });
  }
}

const reader = new FrameReader();
process.stdin.on("data", (chunk: Buffer) => {
  for (const { header, body } of reader.push(chunk)) {
    queue = queue
      .then(() => handle(header as PlanChildMessage, body))
      .catch((error: unknown) => {
        const aborted = error instanceof CollectiveAborted;
        reply({ type: "error", message: error instanceof Error ? error.message : String(error), aborted });
      });
  }
});

/** The parent is gone or done: rank 0 removes the pipes and the data file, which nobody else would. */
function exitWithParent(): void {
  if (rank === 0) removeFifoMesh(mesh);
  process.exit(0);
}

process.stdin.on("end", exitWithParent);
