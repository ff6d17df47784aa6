export { saveCheckpoint, type CheckpointData, type SaveOptions } from "./save-checkpoint.js";
export { loadCheckpoint, resolveCheckpointDir, type LoadedCheckpoint } from "./load-checkpoint.js";
export { CheckpointError, describeFsError } from "./checkpoint-error.js";
export { CheckpointMismatch, describeModelMismatch } from "./checkpoint-match.js";
export { probeWritable } from "./probe-writable.js";
export { nodeFs, type CheckpointFs } from "./checkpoint-fs.js";
export {
  lastIntactCheckpoint,
  listCheckpoints,
  readLatest,
  verifyCheckpoint,
  LATEST,
  type CheckpointMeta,
  type CheckpointState,
  type TrainingPosition,
} from "./checkpoint-format.js";
export {
  fileHandler,
  registerFileRouter,
  readModelArtifacts,
  MODEL_JSON,
  WEIGHTS_BIN,
} from "./file-handler.js";
export {
  namedArraysFromTensors,
  namedArraysToTensors,
  optimizerState,
  restoreOptimizerState,
  encodeNamedArrays,
  decodeNamedArrays,
  type NamedArray,
  type NamedArrays,
  type NamedTensor,
} from "./named-arrays.js";
