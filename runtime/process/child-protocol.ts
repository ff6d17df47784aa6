import type { CollectiveJob } from "../collectives/rank-worker.js";
import type { NamedArray } from "../train/optimizer.js";
import type { FileInit } from "./init-file.js";

/** Frame headers parent → device process (JSON); a step's batch indices travel in the frame's binary body. */
export type ChildMessage =
  | ({ readonly type: "init" } & FileInit)
  | { readonly type: "step"; readonly step: number }
  | { readonly type: "evaluate"; readonly batch: number }
  | { readonly type: "state" }
  | ({ readonly type: "collectives" } & CollectiveJob);

/** Frame headers device process → parent; `state` and `collectivesDone` carry float arrays in the body. */
export type ChildReply =
  /** Sent unasked once the mesh is open: what the child runs with. */
  | { readonly type: "hello"; readonly rank: number; readonly cudaVisibleDevices: string | null }
  | { readonly type: "ready"; readonly backend: string }
  | { readonly type: "stepDone"; readonly step: number; lossSum: number; metricSums: number[]; rows: number }
  | { readonly type: "evaluated"; lossSum: number; metricSums: number[]; rows: number }
  | {
      readonly type: "state";
      readonly lengths: readonly number[];
      readonly slots: readonly Omit<NamedArray, "data">[];
    }
  | { readonly type: "collectivesDone"; readonly lengths: readonly number[] }
  | { readonly type: "error"; readonly message: string; readonly aborted: boolean }
  /** Sent unasked when the device process itself got SIGINT / SIGTERM: the parent stops the run cleanly. */
  | { readonly type: "interrupt"; readonly signal: string };
