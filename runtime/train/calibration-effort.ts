/**
 * How long `calibrate()` measures each figure. `FULL` is `mgpuc calibrate`'s: long enough that two runs on a
 * quiet machine agree. `QUICK` is what `mgpuc train` runs on first use on a machine (cli/machine-profile.ts):
 * about a third of the time per figure, at most 10 s in all, so a new user's first plan already uses this
 * machine's own rates and fixed costs, with the spread of a shorter measurement (and fewer figures measured:
 * `CalibrateOptions.quick`).
 */
export interface CalibrationEffort {
  readonly name: "full" | "quick";
  /** Milliseconds of warm-up, then as many of measurement, per timed call (fixed-costs.ts). */
  readonly callMs: number;
  /** Milliseconds of the matMul rate's timing. */
  readonly matMulMs: number;
  /** Measured steps of the tiny training steps (the per-step and per-layer fixed costs). */
  readonly steps: number;
  /** Lockstep rounds of the jitter measurement. */
  readonly lockstepRounds: number;
  /** Timed 16 MB all-reduces (the link bandwidth); 40 times as many tiny ones (its latency). */
  readonly allReduceRepeats: number;
  /** Paired steps of the split-layer probe. */
  readonly splitSteps: number;
}

export const FULL_EFFORT: CalibrationEffort = {
  name: "full",
  callMs: 150,
  matMulMs: 500,
  steps: 40,
  lockstepRounds: 40,
  allReduceRepeats: 5,
  splitSteps: 40,
};

export const QUICK_EFFORT: CalibrationEffort = {
  name: "quick",
  callMs: 80,
  matMulMs: 200,
  steps: 15,
  lockstepRounds: 24,
  allReduceRepeats: 3,
  // Not measured in the quick form (CalibrateOptions.quick); kept so that the type says every figure's effort.
  splitSteps: 10,
};
