export { formatFinalLine, formatStepLine, finalEvent, type FinalMetrics } from "./final-line.js";
export { weightsL2 } from "./weights-l2.js";
export { type ScoreSums, NO_SUMS, accuracyName, addSums, metricLogs } from "./metric-logs.js";
export {
  Reporter,
  type ReporterOptions,
  type StartInfo,
  type StepInfo,
  type EpochInfo,
  type CheckpointInfo,
  type ErrorInfo,
  type Logs,
} from "./reporter.js";
export { formatDuration, formatLogs, groupThousands, progressBar } from "./format.js";
