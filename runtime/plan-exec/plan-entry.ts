import { initBackend } from "../backend/index.js";
import { type Collective, SharedMemoryCollective } from "../collectives/index.js";
import type { DeviceSide } from "../devices/device-side.js";
import { serveDevice } from "../devices/serve-device.js";
import { PipeCollective } from "../process/pipe-collective.js";
import { Mailbox, type PointToPoint } from "./mailbox.js";
import { PipeMailbox } from "./pipe-mailbox.js";
import { PlanReplica } from "./plan-replica.js";
import type { FromPlanWorker, PlanInit, ToPlanWorker } from "./protocol.js";
import { stagesOf } from "./stage-layout.js";

/**
 * A device running its part of a plan, on either transport. Threads: its stage's collective and the links
 * between stages in the shared memory the init message carries. Processes: the stage collective a
 * `PipeCollective` over the mesh pipes among the stage's devices, the stage links a `PipeMailbox` over the
 * pipes to the others (mesh rank = position in `init.devices`).
 */
let replica: PlanReplica | null = null;

function linksFor(init: PlanInit, side: DeviceSide): { collective: Collective; mailbox: PointToPoint } {
  const stage = stagesOf(init.plan).find((s) => s.devices.includes(init.device))!;
  const stageRank = stage.devices.indexOf(init.device);
  if (side.kind === "thread") {
    return {
      collective: new SharedMemoryCollective(init.stageLayout!, stageRank),
      mailbox: new Mailbox(init.mailbox!),
    };
  }
  const ranks = stage.devices.map((d) => init.devices.indexOf(d));
  const ends = { send: ranks.map((r) => side.mesh.send[r]!), recv: ranks.map((r) => side.mesh.recv[r]!) };
  return {
    collective: new PipeCollective(ends, stageRank, stage.devices.length, side.bucket),
    mailbox: new PipeMailbox(init.plan, init.device, init.devices, side.mesh),
  };
}

serveDevice<ToPlanWorker, FromPlanWorker>(async (message, side) => {
  switch (message.type) {
    case "init": {
      const backend = await initBackend(message.backend);
      const { collective, mailbox } = linksFor(message, side);
      replica = new PlanReplica(message, collective, mailbox);
      await replica.restore();
      return { reply: { type: "ready", backend: backend.name } };
    }
    case "step":
      return { reply: { type: "stepDone", ...(await replica!.step(message.step, message.indices)) } };
    case "shards": {
      const shards = await replica!.shards();
      const { iterations, slots } = await replica!.optimizerShards();
      const buffers = [...shards.flatMap((s) => s.weights), ...slots.map((s) => s.data)];
      return {
        reply: { type: "shards", shards, iterations, slots },
        transfer: buffers.map((b) => b.buffer as ArrayBuffer),
      };
    }
    case "held":
      return { reply: { type: "held", ...(await replica!.held()) } };
  }
});
