/** One worker's times (ms) per lockstep round: the conv + pool forward and backward, then the Adam update. */
export interface RoundTimes {
  readonly compute: Float64Array;
  readonly update: Float64Array;
}

/**
 * Every third lockstep round is a solo round, where rank 0 computes alone: interleaved with the group's
 * rounds, so that a machine busier for a second or two slows both alike and leaves their ratio (the
 * concurrency slowdown) as it was. Measured apart, one after the other, two calibrations gave 1.09 and 1.48.
 */
export function isSoloRound(round: number): boolean {
  return round % 3 === 0;
}
