import { execFileSync, spawnSync } from "node:child_process";
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

/** Type-checks the given files in one tsc run; returns tsc's output ("" when clean). */
export function typeCheck(dir: string, files: readonly string[]): string {
  writeTsconfig(dir, files);
  try {
    execFileSync(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", dir], {
      encoding: "utf8",
      stdio: "pipe",
    });
    return "";
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}` || String(error);
  }
}

export interface ProgramRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs an emitted program as a user would (`npx tsx program.ts ...`), "mgpuc" resolved through the tsconfig. */
export function runProgram(
  dir: string,
  file: string,
  args: readonly string[],
  timeout = 240_000,
): ProgramRun {
  writeTsconfig(dir, [file]);
  const result = spawnSync(process.execPath, ["--import", "tsx", file, ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(dir, "tsconfig.json"), FORCE_COLOR: "0" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
