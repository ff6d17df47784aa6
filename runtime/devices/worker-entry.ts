import { parentPort } from "node:worker_threads";
import { initBackend } from "../backend/index.js";
import { CollectiveAborted, SharedMemoryCollective } from "../collectives/index.js";
import type { FromWorker, ToWorker } from "../train/protocol.js";
import { Replica } from "../train/replica.js";

/**
 * A CPU device: one worker thread, its own tfjs backend, one replica. Messages are handled strictly in order
 * (a queue), since every replica must call the collectives in the same order.
 */
const port = parentPort!;
let replica: Replica | null = null;
let rank = -1;
let queue: Promise<void> = Promise.resolve();

function reply(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case "init": {
      const backend = await initBackend(message.backend);
      rank = message.rank;
      const collective = new SharedMemoryCollective(message.layout, message.rank);
      replica = await Replica.create(message, collective);
      reply({ type: "ready", backend: backend.name });
      return;
    }
    case "step": {
      const result = replica!.step(message.step, message.indices);
      reply({ type: "stepDone", step: message.step, ...result });
      return;
    }
    case "evaluate":
      reply({ type: "evaluated", ...replica!.evaluate(message.batch) });
      return;
    case "state": {
      // Replicas are identical: only rank 0 sends its arrays.
      if (rank !== 0) return reply({ type: "state", weights: [], optimizerState: [] });
      const state = await replica!.state();
      const buffers = [...state.weights, ...state.optimizerState.map((s) => s.data)].map(
        (a) => a.buffer as ArrayBuffer,
      );
      reply({ type: "state", ...state }, buffers);
      return;
    }
  }
}

port.on("message", (message: ToWorker) => {
  queue = queue
    .then(() => handle(message))
    .catch((error: unknown) => {
      const aborted = error instanceof CollectiveAborted;
      reply({ type: "error", message: error instanceof Error ? error.message : String(error), aborted });
    });
});
