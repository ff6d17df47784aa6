import { parentPort } from "node:worker_threads";
import { initBackend } from "../backend/index.js";
import { CollectiveAborted, SharedMemoryCollective } from "../collectives/index.js";
import { Mailbox } from "./mailbox.js";
import { PlanReplica } from "./plan-replica.js";
import type { FromPlanWorker, ToPlanWorker } from "./protocol.js";

/** A CPU device running its part of a plan. Messages are handled strictly in order: collectives are ordered. */
const port = parentPort!;
let replica: PlanReplica | null = null;
let queue: Promise<void> = Promise.resolve();

function reply(message: FromPlanWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function handle(message: ToPlanWorker): Promise<void> {
  switch (message.type) {
    case "init": {
      const backend = await initBackend(message.backend);
      const layout = message.stageLayout;
      const stageRank = rankIn(message);
      replica = new PlanReplica(
        message,
        new SharedMemoryCollective(layout, stageRank),
        new Mailbox(message.mailbox),
      );
      await replica.restore();
      reply({ type: "ready", backend: backend.name });
      return;
    }
    case "step":
      reply({ type: "stepDone", ...replica!.step(message.step, message.indices) });
      return;
    case "shards": {
      const shards = replica!.shards();
      const { iterations, slots } = await replica!.optimizerShards();
      const buffers = [...shards.flatMap((s) => s.weights), ...slots.map((s) => s.data)];
      reply(
        { type: "shards", shards, iterations, slots },
        buffers.map((b) => b.buffer as ArrayBuffer),
      );
      return;
    }
    case "held":
      reply({ type: "held", ...(await replica!.held()) });
      return;
  }
}

/** This device's rank within its stage: its index among the stage's sorted devices. */
function rankIn(init: Extract<ToPlanWorker, { type: "init" }>): number {
  const stage = init.plan.layers.find((l) => l.placement.devices.includes(init.device))!.placement.stage;
  const devices = new Set<number>();
  for (const l of init.plan.layers)
    if (l.placement.stage === stage) l.placement.devices.forEach((d) => devices.add(d));
  return [...devices].sort((a, b) => a - b).indexOf(init.device);
}

port.on("message", (message: ToPlanWorker) => {
  queue = queue
    .then(() => handle(message))
    .catch((error: unknown) => {
      const aborted = error instanceof CollectiveAborted;
      reply({ type: "error", message: error instanceof Error ? error.message : String(error), aborted });
    });
});
