/** Exit codes of CLI.md: the contract scripts rely on. */
export const EXIT = {
  ok: 0,
  /** The input has errors; diagnostics were printed. */
  inputErrors: 1,
  /** Bad usage: unknown flag, missing file, bad flag value. */
  usage: 2,
  /** A failure while training: a device died, NaN loss, unreadable data, unwritable checkpoint. */
  trainingFailure: 3,
  /** Training stopped by SIGINT / SIGTERM (128 + SIGINT's number, as shells report it), a checkpoint kept. */
  interrupted: 130,
} as const;

/** A mistake in how mgpuc was called; the CLI prints its message and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
