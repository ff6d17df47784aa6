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
  /** Group rounds of the lockstep measurement (jitter, concurrency slowdowns); half as many solo rounds besides. */
  readonly lockstepRounds: number;
  /** Timed 16 MB all-reduces (the link bandwidth); 40 times as many tiny ones (its latency). */
  readonly allReduceRepeats: number;
  /** Paired steps of the split-layer probe. */
  readonly splitSteps: number;
}

/*
 * Counts chosen from the spread of repeated measurements on the 2-core build machine (issue 17): the tiny
 * 2-device step's median over 15 steps ranged 1.35–3.46 ms across processes, over 40 steps 2.21–2.49 ms; the
 * lockstep jitter over 24 rounds 0.046–0.075, over 40 0.084–0.091. A step is ~2.5 ms and a round ~22 ms, so
 * more of them cost little beside the workers' start.
 */
export const FULL_EFFORT: CalibrationEffort = {
  name: "full",
  callMs: 150,
  matMulMs: 500,
  steps: 100,
  lockstepRounds: 80,
  allReduceRepeats: 12,
  splitSteps: 40,
};

export const QUICK_EFFORT: CalibrationEffort = {
  name: "quick",
  callMs: 80,
  matMulMs: 200,
  steps: 50,
  lockstepRounds: 40,
  allReduceRepeats: 6,
  // Not measured in the quick form (CalibrateOptions.quick); kept so that the type says every figure's effort.
  splitSteps: 10,
};
