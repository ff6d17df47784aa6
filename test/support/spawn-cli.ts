import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./run-cli.js";

/** A CLI run in the background, for tests that must act while it trains (signals). */
export interface LiveCli {
  readonly child: ChildProcess;
  /** A value in the environment of this run and of every process it starts: `processesOfRun` finds them. */
  readonly tag: string;
  /** Resolves with the first line of `stream` (default stdout) `match` accepts; rejects when the run ends first. */
  waitForLine(match: (line: string) => boolean, stream?: "stdout" | "stderr"): Promise<string>;
  /** Resolves when the run has exited, with its code (or signal) and everything it printed. */
  readonly exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
}

const TAG_VARIABLE = "MGPUC_TEST_RUN";

interface Waiter {
  readonly match: (line: string) => boolean;
  readonly resolve: (line: string) => void;
}

/**
 * Starts the mgpuc CLI from the TypeScript sources without waiting for it. `detached` puts it in a process
 * group of its own, so a test can signal the whole group as a terminal's Ctrl-C does.
 */
export function startCli(
  args: readonly string[],
  options: { detached?: boolean; cwd?: string } = {},
): LiveCli {
  const tag = randomBytes(8).toString("hex");
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO, "cli", "main.ts"), ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", [TAG_VARIABLE]: tag },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  const text = { stdout: "", stderr: "" };
  const waiters = { stdout: [] as Waiter[], stderr: [] as Waiter[] };
  for (const stream of ["stdout", "stderr"] as const) {
    let pending = "";
    child[stream]!.on("data", (chunk: Buffer) => {
      text[stream] += chunk.toString();
      pending += chunk.toString();
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        for (const w of waiters[stream].splice(0)) {
          if (w.match(line)) w.resolve(line);
          else waiters[stream].push(w);
        }
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code, signal, ...text })),
  );
  return {
    child,
    tag,
    exited,
    waitForLine(match, stream = "stdout") {
      return new Promise((resolve, reject) => {
        waiters[stream].push({ match, resolve });
        void exited.then((r) =>
          reject(new Error(`the run ended first (code ${r.code}):\n${r.stdout}${r.stderr}`)),
        );
      });
    },
  };
}

/** Pids of every live process whose environment carries `tag` (the run itself and whatever it started). */
export function processesOfRun(tag: string): number[] {
  const needle = `${TAG_VARIABLE}=${tag}`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readFileSync(join("/proc", entry, "environ"), "latin1");
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    // (A zombie's environment reads empty: it has exited, only its parent's wait is missing.)
    if (environ.split("\0").includes(needle)) found.push(Number(entry));
  }
  return found;
}

/**
 * `runCli` without blocking: the test's worker keeps serving vitest while a long CLI run goes on (a blocked
 * worker misses vitest's calls and the run reports a timeout error).
 */
export async function runCliAsync(
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await startCli(args, options).exited;
  return { code, stdout, stderr };
}
