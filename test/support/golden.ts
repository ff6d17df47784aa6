import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { scopeNamed, type GoldenScopeName } from "./golden-scopes.js";

/** test/golden, where every case is a folder holding its input beside its expected outputs. */
export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "golden");

/** Whether this is CI: `CI` set to anything but "", "0" or "false" (.ci/run sets CI=true). */
export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/**
 * `UPDATE_GOLDEN=1` (`npm run golden:update`): rewrite golden files instead of comparing. Refused under CI, where
 * a golden file is only ever compared; any other value is a mistake worth saying so.
 */
function updating(): boolean {
  const update = process.env.UPDATE_GOLDEN;
  if (update === undefined || update === "" || update === "0") return false;
  if (update !== "1") throw new Error(`UPDATE_GOLDEN=${update}: set UPDATE_GOLDEN=1 to rewrite golden files`);
  if (isCi())
    throw new Error(
      `UPDATE_GOLDEN=1 with CI=${process.env.CI}: CI never rewrites golden files; unset one of them`,
    );
  return true;
}

/**
 * Compares `actual` with the golden file; a missing or different file fails the test. Under
 * `UPDATE_GOLDEN=1` it rewrites the file instead and prints its path when the content changed.
 */
export function expectGolden(path: string, actual: string): void {
  if (updating()) {
    const before = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (before === actual) return;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    // Straight to stderr: the one line a reviewer needs, whatever the reporter does with console output.
    process.stderr.write(
      `golden: ${before === undefined ? "created" : "rewrote"} ${relative(process.cwd(), path)}\n`,
    );
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`missing golden file ${path}; run \`npm run golden:update\` and review the diff`);
  }
  expect(actual, `golden file ${path} differs; run \`npm run golden:update\` if the change is intended`).toBe(
    readFileSync(path, "utf8"),
  );
}

/** A path under test/golden (or `root`) as the scopes see it: relative, with forward slashes. */
export function goldenPath(path: string, root = GOLDEN_DIR): string {
  return relative(root, path).split(sep).join("/");
}

/** Every file in the case folders of test/golden (not the tests beside them), relative, sorted. */
export function goldenFilesOnDisk(root = GOLDEN_DIR): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(goldenPath(path, root));
    }
  };
  for (const entry of readdirSync(root, { withFileTypes: true }))
    if (entry.isDirectory()) walk(join(root, entry.name));
  return out.sort();
}

/**
 * The golden files of one test file's scope (test/support/golden-scopes.ts), and which of them it has read.
 * Each golden test file makes one, reads its inputs and compares its outputs through it, and ends with a test
 * that `unread()` is empty: a golden file nobody reads any more (its example gone, its case renamed) fails.
 */
export class GoldenFiles {
  private readonly read = new Set<string>();
  private readonly scope;

  /** `root`: test/golden, or another folder laid out the same way (tests of this class). */
  constructor(
    scope: GoldenScopeName,
    private readonly root = GOLDEN_DIR,
  ) {
    this.scope = scopeNamed(scope);
  }

  private claim(path: string): void {
    const rel = goldenPath(path, this.root);
    if (!this.scope.owns(rel))
      throw new Error(`${rel} is outside the ${this.scope.name} golden scope (${this.scope.files})`);
    this.read.add(rel);
  }

  /** expectGolden, for a file of this scope. */
  expect(path: string, actual: string): void {
    this.claim(path);
    expectGolden(path, actual);
  }

  /** A golden case's input (its input.model). */
  input(path: string): string {
    this.claim(path);
    return readFileSync(path, "utf8");
  }

  /** Files of this scope on disk that no test of this file read. */
  unread(): string[] {
    return goldenFilesOnDisk(this.root).filter((rel) => this.scope.owns(rel) && !this.read.has(rel));
  }
}

/** The message of the closing test: what to do about a stale golden file. */
export const STALE_HINT =
  "golden files no test read (stale: delete them, or restore the case that reads them); " +
  "a test above that failed before reading its files, or a filtered run, leaves some unread too";
