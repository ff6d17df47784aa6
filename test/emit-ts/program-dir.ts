import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * A scratch folder inside the repo (so `@tensorflow/tfjs` and `@types/node` resolve from its node_modules)
 * where emitted programs are written, with a tsconfig that maps `mgpuc` to the repo's `index.ts`: the
 * package's own import surface, as `"exports"` gives it to an installed copy.
 */
export function programDir(name: string): string {
  const dir = join(REPO, ".vitest-tmp", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The scratch folder's tsconfig: tsc reads it to check, tsx reads its `paths` to run the programs. */
export function writeTsconfig(dir: string, files: readonly string[]): void {
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      paths: { mgpuc: [relative(dir, join(REPO, "index.ts"))] },
    },
    files: files.map((f) => relative(dir, f)),
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
}

/**
 * A child process run to its end without blocking this one: a test worker whose event loop is blocked for a
 * minute misses vitest's RPC deadline ("Timeout calling onTaskUpdate") although every test passes.
 */
function run(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...args],
      { ...options, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === "number" ? error.code : error ? null : 0;
        if (error && code === null && !error.killed && error.signal === null) reject(error);
        else resolve({ status: code, stdout, stderr });
      },
    );
  });
}

/** Type-checks the given files in one tsc run; returns tsc's output ("" when clean). */
export async function typeCheck(dir: string, files: readonly string[]): Promise<string> {
  writeTsconfig(dir, files);
  const r = await run([join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", dir], {});
  return r.status === 0 ? "" : `${r.stdout}${r.stderr}` || `tsc exited ${r.status}`;
}

export interface ProgramRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs an emitted program as a user would (`npx tsx program.ts ...`), "mgpuc" resolved through the tsconfig. */
export async function runProgram(
  dir: string,
  file: string,
  args: readonly string[],
  timeout = 240_000,
): Promise<ProgramRun> {
  writeTsconfig(dir, [file]);
  const result = await run(["--import", "tsx", file, ...args], {
    cwd: dir,
    timeout,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(dir, "tsconfig.json"), FORCE_COLOR: "0" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
