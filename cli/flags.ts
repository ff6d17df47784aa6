import { InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { type Backend, BACKENDS, type Strategy } from "../compiler/ir/config.js";
import { BUILTIN_PROFILES } from "../compiler/cost/profile.js";

/** Commander value parsers: a bad value is a usage error (exit 2) with a message naming the flag's rule. */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("expected an integer >= 1");
  return Number(value);
}

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected an integer >= 0");
  return Number(value);
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError("expected a number >= 0");
  return n;
}

export const STRATEGIES: readonly Strategy[] = ["auto", "data", "model", "pipeline"];

export function strategy(value: string): Strategy {
  const found = STRATEGIES.find((s) => s === value);
  if (!found) throw new InvalidArgumentError(`expected one of ${STRATEGIES.join(", ")}`);
  return found;
}

/**
 * `--profile NAME|FILE`: a built-in name as is; a file relative to the current folder, as every path on the
 * command line is (a `profile:` in the file's `parallel` section is relative to the file instead).
 */
export function profileFlag(value: string): string {
  return (BUILTIN_PROFILES as readonly string[]).includes(value) ? value : resolve(value);
}

export const EMIT_TARGETS = ["plan", "ts", "summary", "dot", "torch", "keras"] as const;
export type EmitTarget = (typeof EMIT_TARGETS)[number];

export function emitTarget(value: string): EmitTarget {
  const found = EMIT_TARGETS.find((t) => t === value);
  if (!found) throw new InvalidArgumentError(`expected one of ${EMIT_TARGETS.join(", ")}`);
  return found;
}

export function backend(value: string): Backend {
  const found = BACKENDS.find((b) => b === value);
  if (!found) throw new InvalidArgumentError(`expected one of ${BACKENDS.join(", ")}`);
  return found;
}

export function transport(value: string): "thread" | "process" {
  if (value !== "thread" && value !== "process") throw new InvalidArgumentError("expected thread or process");
  return value;
}
