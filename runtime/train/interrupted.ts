/**
 * Training stopped on request (SIGINT / SIGTERM through `TrainOptions.signal`) at a step boundary, after saving
 * a checkpoint of that step when saving is on. The CLI exits 130 with it; `trainModel` has already printed
 * `interrupted at step N; kept DIR`.
 */
export class Interrupted extends Error {
  override readonly name = "Interrupted";

  constructor(
    /** Optimizer steps taken in total when training stopped. */
    readonly step: number,
    /** The newest checkpoint (of step `step` when saving is on and a step was trained); absent when none. */
    readonly keptCheckpoint: string | undefined,
  ) {
    super(`interrupted at step ${step}; kept ${keptCheckpoint ?? "nothing (no checkpoint was written)"}`);
  }
}
