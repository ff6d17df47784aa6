import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectGolden, GoldenFiles } from "../support/golden.js";

/** test/support/golden.ts itself: update mode, CI, and noticing golden files nobody reads. */
describe("the golden-file helper", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  const scratch = () => mkdtempSync(join(tmpdir(), "mgpuc-golden-"));

  function stderrOf(run: () => void): string {
    let text = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    });
    run();
    vi.restoreAllMocks();
    return text;
  }

  it("compares by default: a different or missing file fails", () => {
    vi.stubEnv("UPDATE_GOLDEN", "");
    const file = join(scratch(), "out.txt");
    expect(() => expectGolden(file, "a\n")).toThrow(/missing golden file/);
    writeFileSync(file, "a\n");
    expectGolden(file, "a\n");
    expect(() => expectGolden(file, "b\n")).toThrow(/differs/);
  });

  it("UPDATE_GOLDEN=1 rewrites and prints each file it creates or changes, and only those", () => {
    vi.stubEnv("UPDATE_GOLDEN", "1");
    vi.stubEnv("CI", "");
    const file = join(scratch(), "case", "out.txt");
    expect(stderrOf(() => expectGolden(file, "a\n"))).toMatch(/^golden: created .*case\/out\.txt\n$/);
    expect(stderrOf(() => expectGolden(file, "a\n"))).toBe("");
    expect(stderrOf(() => expectGolden(file, "b\n"))).toMatch(/^golden: rewrote .*case\/out\.txt\n$/);
    expect(readFileSync(file, "utf8")).toBe("b\n");
  });

  it("refuses UPDATE_GOLDEN=1 under CI, and an UPDATE_GOLDEN that is not 1", () => {
    const file = join(scratch(), "out.txt");
    writeFileSync(file, "a\n");
    vi.stubEnv("UPDATE_GOLDEN", "1");
    vi.stubEnv("CI", "true");
    expect(() => expectGolden(file, "b\n")).toThrow(/CI never rewrites golden files/);
    vi.stubEnv("CI", "");
    vi.stubEnv("UPDATE_GOLDEN", "yes");
    expect(() => expectGolden(file, "b\n")).toThrow(/set UPDATE_GOLDEN=1/);
    expect(readFileSync(file, "utf8")).toBe("a\n");
  });

  it("names the files of its scope that no test read, and refuses files outside its scope", () => {
    vi.stubEnv("UPDATE_GOLDEN", "");
    const root = scratch();
    for (const folder of ["mnist", "gone", "fe-typo"]) mkdirSync(join(root, folder));
    writeFileSync(join(root, "mnist", "plan.json"), "{}\n");
    writeFileSync(join(root, "gone", "plan.json"), "{}\n");
    writeFileSync(join(root, "fe-typo", "errors.txt"), "e\n");
    const golden = new GoldenFiles("plan", root);
    expect(golden.unread()).toEqual(["gone/plan.json", "mnist/plan.json"]);
    golden.expect(join(root, "mnist", "plan.json"), "{}\n");
    expect(golden.unread()).toEqual(["gone/plan.json"]);
    expect(() => golden.expect(join(root, "fe-typo", "errors.txt"), "e\n")).toThrow(/outside the plan golden scope/);
  });
});
