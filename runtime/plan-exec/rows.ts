import type { SharedDataset } from "../train/protocol.js";
import { gatherRows, viewDataset } from "../train/replica.js";

export type DataView = ReturnType<typeof viewDataset>;
export { gatherRows, viewDataset };
export type { SharedDataset };
