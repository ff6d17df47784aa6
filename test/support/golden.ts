import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

/** test/golden, where every case is a folder holding input.model beside its expected outputs. */
export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "golden");

/**
 * Compares `actual` with the golden file. `npm run golden:update` (UPDATE_GOLDEN=1) rewrites golden files;
 * otherwise, and always in CI, a missing or different golden file fails the test.
 */
export function expectGolden(path: string, actual: string): void {
  const update = process.env.UPDATE_GOLDEN === "1" && process.env.CI !== "true";
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`missing golden file ${path}; run \`npm run golden:update\` and review the diff`);
  }
  expect(actual, `golden file ${path} differs; run \`npm run golden:update\` if the change is intended`).toBe(
    readFileSync(path, "utf8"),
  );
}
