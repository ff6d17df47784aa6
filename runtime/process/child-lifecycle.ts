import type { Socket } from "node:net";

export interface ChildLifecycle {
  /** fd 3, the device's only way to its parent. */
  readonly out: Socket;
  /** Tells the parent the device got a signal (an `interrupt` frame). */
  readonly onSignal: (signal: NodeJS.Signals) => void;
  /** The parent is gone: clean up and exit. */
  readonly onParentGone: () => void;
}

/** How often a device looks whether its parent still exists. */
const ORPHAN_CHECK_MS = 500;

/**
 * What every device process does to end with its run and never on its own:
 * - SIGINT / SIGTERM do not kill it: a terminal's Ctrl-C reaches the whole process group, and a device that
 *   died mid-step would leave the parent unable to gather the weights for its last checkpoint. The device
 *   tells the parent instead and keeps serving it until its stdin closes.
 * - Writing to a parent that is gone fails with EPIPE: that, or being re-parented (orphaned while blocked, so
 *   stdin's end was never read), ends the process quietly instead of with a stack trace.
 */
export function superviseChild(o: ChildLifecycle): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => o.onSignal(signal));
  o.out.on("error", () => o.onParentGone());
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) o.onParentGone();
  }, ORPHAN_CHECK_MS).unref();
}
