import { EventEmitter } from "node:events";

/**
 * Stop requests that reached a device process rather than this one: `interrupt` (signal name, device rank).
 * A terminal's Ctrl-C goes to its whole process group, and `kill` may name a device's pid; either way the
 * device keeps going and tells the parent, which stops at the next step boundary as for its own signal
 * (cli/interrupts.ts listens). Process-wide, as signals are.
 */
export const deviceInterrupts = new EventEmitter<{ interrupt: [signal: string, rank: number] }>();
