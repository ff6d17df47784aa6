import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the mgpuc CLI from the TypeScript sources (so tests never see a stale build). */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): CliResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "cli", "main.ts"), ...args], {
    cwd: options.cwd ?? REPO,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
