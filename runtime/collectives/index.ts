export { CollectiveAborted, LocalCollective } from "./collective.js";
export type { BucketConsume, BucketFill, Collective } from "./collective.js";
export {
  SharedMemoryCollective,
  abortShared,
  createSharedLayout,
  bucketedRanges,
  partition,
} from "./shared-memory-collective.js";
export type { SharedLayout } from "./shared-memory-collective.js";
