export { SyncBatchNormalization } from "./sync-batch-normalization.js";
export { CounterDropout, dropoutMask } from "./counter-dropout.js";
export { rewriteTopologyForReplicas } from "./rewrite-topology.js";
export { setStepContext, stepContext } from "./step-context.js";
export type { StepContext } from "./step-context.js";
export { allReduceSumOp } from "./all-reduce-op.js";
export { MultiHeadAttention, type MultiHeadAttentionArgs } from "./multi-head-attention.js";
export { PositionEmbedding, type PositionEmbeddingArgs } from "./position-embedding.js";
