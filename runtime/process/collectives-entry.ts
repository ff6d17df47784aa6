import type { DeviceSide } from "../devices/device-side.js";
import { serveDevice } from "../devices/serve-device.js";
import { type CollectiveJob, exerciseCollective } from "../collectives/rank-worker.js";
import type { CollectivesDone } from "./collective-processes.js";
import { PipeCollective } from "./pipe-collective.js";

/** A bare collective rank in a device process (`CollectiveProcesses`): runs each job, returns its arrays. */
let collective: PipeCollective | null = null;

function collectiveOf(side: DeviceSide): PipeCollective {
  if (side.kind !== "process") throw new Error("collectives-entry runs in a device process");
  return (collective ??= new PipeCollective(side.mesh, side.rank, side.size, side.bucket));
}

serveDevice<CollectiveJob, CollectivesDone>(async (job, side) => {
  const results = exerciseCollective(collectiveOf(side), job);
  return Promise.resolve({ reply: { type: "collectivesDone", results } });
});
