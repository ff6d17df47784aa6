import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkOutputFile, writeOutputFile } from "../../cli/output-file.js";
import { UsageError } from "../../cli/exit-codes.js";

const tmp = mkdtempSync(join(tmpdir(), "mgpuc-output-file-"));

describe("-o FILE", () => {
  it("is checked without a trace: a new file is not left behind, an existing one is left as it was", () => {
    const fresh = join(tmp, "a", "b", "profile.json");
    checkOutputFile(fresh);
    expect(existsSync(fresh)).toBe(false);
    expect(existsSync(join(tmp, "a", "b"))).toBe(true);
    const kept = join(tmp, "kept.json");
    writeFileSync(kept, "old");
    checkOutputFile(kept);
    expect(readFileSync(kept, "utf8")).toBe("old");
  });

  it("that cannot be written is a usage error naming why, found by the check as by the write", () => {
    writeFileSync(join(tmp, "file"), "");
    for (const [path, why] of [
      [tmp, "it is a folder"],
      [join(tmp, "file", "x.json"), "a part of its path is a file, not a folder"],
      ["/proc/no-such-folder/x.json", "its folder cannot be made here"],
    ] as const) {
      for (const attempt of [() => checkOutputFile(path), () => writeOutputFile(path, "{}")]) {
        expect(attempt).toThrow(UsageError);
        expect(attempt).toThrow(`-o ${path}: cannot write it: ${why}`);
      }
    }
  });
});
