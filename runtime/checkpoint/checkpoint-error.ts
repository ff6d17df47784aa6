/**
 * A checkpoint that could not be written or read. `message` names the path and the reason (`no space left on
 * device`, `permission denied`, `corrupt: weights.bin has 10 bytes, expected 4040`); `lastIntact` is the
 * newest checkpoint that still loads, for the CLI's `kept:` line (exit 3).
 */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";

  constructor(
    message: string,
    readonly path: string,
    readonly lastIntact?: string,
  ) {
    super(lastIntact === undefined ? message : `${message}; last intact checkpoint: ${lastIntact}`);
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on device",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOENT: "no such file or directory",
  ENOTDIR: "not a directory",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
};

/** `no space left on device (ENOSPC)` from a Node fs error; the error's message otherwise. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && REASONS[code] !== undefined) return `${REASONS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
