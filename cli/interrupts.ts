import type { EventEmitter } from "node:events";
import { EXIT } from "./exit-codes.js";

export interface InterruptWatch {
  /** Aborted by the first SIGINT / SIGTERM: training stops at the next step boundary and saves. */
  readonly signal: AbortSignal;
  /** Stops listening (training is over). */
  dispose(): void;
}

/**
 * SIGINT / SIGTERM while training. The first asks the run to stop at the next step boundary and save a
 * checkpoint (`trainModel` then prints `interrupted at step N; kept DIR`, and the CLI exits 130). A second one
 * sent to this process stops at once: `process.exit(130)`, whose exit hooks kill every device process (a
 * checkpoint being written then is left as a `.tmp-*` folder, never as a damaged checkpoint). A device process
 * that got the signal itself (a terminal's Ctrl-C reaches the whole process group) only ever counts as a
 * first request: the same Ctrl-C reaching this process too must not read as a second.
 */
export function watchInterrupts(
  devices: EventEmitter<{ interrupt: [signal: string, rank: number] }>,
): InterruptWatch {
  const controller = new AbortController();
  let own = 0;
  const request = (signal: string) => {
    if (controller.signal.aborted) return;
    controller.abort(signal);
    process.stderr.write(
      `${signal}: stopping after the step in progress and saving a checkpoint (${signal} again stops at once)\n`,
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    own++;
    if (own === 1) return request(signal);
    process.stderr.write(`${signal} again: stopping at once, without saving the step in progress\n`);
    process.exit(EXIT.interrupted);
  };
  const fromDevice = (signal: string) => request(signal);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  devices.on("interrupt", fromDevice);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      devices.off("interrupt", fromDevice);
    },
  };
}
