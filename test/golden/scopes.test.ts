import { describe, expect, it } from "vitest";
import { goldenFilesOnDisk } from "../support/golden.js";
import { GOLDEN_SCOPES } from "../support/golden-scopes.js";

/**
 * Each golden test file checks it read every file of its scope; this one checks that every file in a case
 * folder is in exactly one scope. Together: a golden file that no test reads fails the suite, without relying
 * on which worker ran which file in what order.
 */
describe("golden file scopes", () => {
  it("every file under test/golden/<case>/ belongs to exactly one golden test's scope", () => {
    const files = goldenFilesOnDisk();
    // The case folders are there to check: an empty list would pass anything.
    expect(files.length).toBeGreaterThan(50);
    const owners = files.map((file) => ({
      file,
      scopes: GOLDEN_SCOPES.filter((s) => s.owns(file)).map((s) => s.name),
    }));
    expect(
      owners.filter((o) => o.scopes.length !== 1),
      "a golden file no test reads (or two would): delete it, or extend test/support/golden-scopes.ts",
    ).toEqual([]);
  });

  it("each scope owns files of its own kind only", () => {
    const owns = (name: string, path: string) => GOLDEN_SCOPES.find((s) => s.name === name)!.owns(path);
    expect(owns("frontend", "fe-typo/errors.txt")).toBe(true);
    expect(owns("frontend", "fe-typo/plan.json")).toBe(false);
    expect(owns("plan", "mnist/plan.json")).toBe(true);
    expect(owns("plan", "fe-typo/plan.json")).toBe(false);
    expect(owns("plan", "mnist/old/plan.json")).toBe(false);
    expect(owns("python", "python-fixtures/tokens.torch.py")).toBe(true);
    expect(owns("python", "python-fixtures/tokens.py")).toBe(false);
    expect(owns("typescript", "mnist/expected.ts")).toBe(true);
    expect(owns("summary", "mnist/notes.txt")).toBe(false);
  });
});
