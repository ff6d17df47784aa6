/**
 * The runtime's public surface for the CLI and for TypeScript users. Importing it loads TensorFlow.js: the
 * compile path (`mgpuc check`, `--emit`) must never import this module.
 */
export { initBackend, listBackends, registerWasmGradKernels } from "./backend/index.js";
export type { BackendAvailability, BackendInfo, BackendPreference } from "./backend/index.js";
export { listDevices, DeviceFailure } from "./devices/index.js";
export type { DeviceInfo } from "./devices/index.js";
export { trainModel } from "./train/train-model.js";
export type { TrainOptions } from "./train/train-options.js";
export { TrainingFailure } from "./train/training-failure.js";
export { Interrupted } from "./train/interrupted.js";
export { CheckpointMismatch } from "./checkpoint/index.js";
export { DataParallelGroup } from "./train/data-parallel-group.js";
export type { GroupOptions } from "./train/data-parallel-group.js";
export type { TrainingGroup, TrainingState } from "./train/training-group.js";
export { MirroredStrategy } from "./train/mirrored-strategy.js";
export type { MirroredFitOptions, MirroredStrategyOptions } from "./train/mirrored-strategy.js";
export { calibrate } from "./train/calibrate.js";
export type { CalibrateOptions, DeviceProfile } from "./train/calibrate.js";
export {
  SyncBatchNormalization,
  CounterDropout,
  MultiHeadAttention,
  PositionEmbedding,
} from "./layers/index.js";
export type { MultiHeadAttentionArgs, PositionEmbeddingArgs } from "./layers/index.js";
export type { FinalMetrics } from "./report/index.js";
export { formatFinalLine } from "./report/index.js";
