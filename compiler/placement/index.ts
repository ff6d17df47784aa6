export { solveDag, assignmentCost, type DagProblem, type DagSolution } from "./frontier-dp.js";
export {
  partitionStages,
  MAX_EXACT_POSITIONS,
  type Partition,
  type PartitionProblem,
} from "./pipeline-partition.js";
export { planPipeline, stageCounts, type PipelinePlan } from "./pipeline-plans.js";
export {
  layersProblem,
  evaluateLayers,
  memoryPerDevice,
  runnerUp,
  type LayersEvaluation,
} from "./layers-problem.js";
export { solveWithinMemory } from "./memory-search.js";
export { readHints, hasHints, type HintConstraints } from "./hints.js";
export { formatBytes, formatMs, round6 } from "./format.js";
export type { Placement, PlacedLayer } from "./placement-types.js";
