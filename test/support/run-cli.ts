import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the mgpuc CLI from the TypeScript sources (so tests never see a stale build), without blocking this
 * process: vitest's worker must answer its runner within 60 s, and a file of synchronous CLI runs on a loaded
 * machine took longer ("Timeout calling onTaskUpdate", with every test passing).
 */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(REPO, "cli", "main.ts"), ...args],
      {
        cwd: options.cwd ?? REPO,
        encoding: "utf8",
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...options.env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
