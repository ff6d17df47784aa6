import { type Collective, LocalCollective } from "../collectives/index.js";

/**
 * What the replica-aware layers need to know about the step being computed. One replica per thread, so a
 * module-level context is enough; the trainer sets it before each forward pass.
 */
export interface StepContext {
  readonly collective: Collective;
  /** Optimizer step being computed (0-based, counted from the start of training). */
  readonly step: number;
  /** Rows of the global batch (all replicas together). */
  readonly globalBatch: number;
  /** Index, within the global batch, of this replica's first row. */
  readonly shardOffset: number;
  readonly seed: number;
  /**
   * Set while a layer runs on a channel block (a model-parallel channelwise layer): the block's first channel
   * and the channels of the whole tensor, so per-element randomness is keyed as on the whole tensor.
   */
  readonly channels?: { readonly offset: number; readonly total: number };
}

let current: StepContext = {
  collective: new LocalCollective(),
  step: 0,
  globalBatch: 0,
  shardOffset: 0,
  seed: 0,
};

export function setStepContext(context: StepContext): void {
  current = context;
}

export function stepContext(): StepContext {
  return current;
}
