/**
 * Training stopped: a device died, the loss stopped being finite, data or a checkpoint could not be read or
 * written. The CLI exits 3 with it. `keptCheckpoint` is the newest intact checkpoint (nothing saved is ever
 * damaged by a failure); absent when none was written.
 */
export class TrainingFailure extends Error {
  override readonly name = "TrainingFailure";

  constructor(
    message: string,
    /** Optimizer steps completed (1-based number of the failing step when a step failed). */
    readonly step: number,
    readonly device?: number,
    readonly keptCheckpoint?: string,
    /** True when trainModel already printed it through its reporter (text or `--json` `error` event). */
    readonly reported = false,
  ) {
    super(message);
  }
}
