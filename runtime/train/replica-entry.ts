import { initBackend } from "../backend/index.js";
import { SharedMemoryCollective } from "../collectives/index.js";
import type { DeviceSide } from "../devices/device-side.js";
import { serveDevice } from "../devices/serve-device.js";
import { PipeCollective } from "../process/pipe-collective.js";
import type { FromWorker, InitMessage, ToWorker } from "./protocol.js";
import { Replica } from "./replica.js";

/**
 * A data-parallel device, on either transport: its own tfjs backend and one replica whose collective is
 * shared memory among threads, or the mesh's named pipes among processes.
 */
let replica: Replica | null = null;
let rank = -1;

function collectiveFor(init: InitMessage, side: DeviceSide) {
  if (side.kind === "process") return new PipeCollective(side.mesh, side.rank, side.size, side.bucket);
  return new SharedMemoryCollective(init.layout!, init.rank);
}

serveDevice<ToWorker, FromWorker>(async (message, side) => {
  switch (message.type) {
    case "init": {
      const backend = await initBackend(message.backend);
      rank = message.rank;
      replica = await Replica.create(message, collectiveFor(message, side));
      return { reply: { type: "ready", backend: backend.name } };
    }
    case "step":
      return { reply: { type: "stepDone", ...(await replica!.step(message.step, message.indices)) } };
    case "evaluate":
      return { reply: { type: "evaluated", ...(await replica!.evaluate(message.batch)) } };
    case "state": {
      // Every replica takes part (ZeRO-1 gathers its optimizer state); they then agree: only rank 0 sends.
      const state = await replica!.state();
      if (rank !== 0) return { reply: { type: "state", weights: [], optimizerState: [] } };
      const arrays = [...state.weights, ...state.optimizerState.map((s) => s.data)];
      return { reply: { type: "state", ...state }, transfer: arrays.map((a) => a.buffer as ArrayBuffer) };
    }
  }
});
