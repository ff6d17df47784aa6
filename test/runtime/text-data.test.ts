import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataError, loadDataset, splitValidation } from "../../runtime/data/index.js";

/** `text(...)` and `moby_dick(...)` as the runtime loads them (LANGUAGE.md, "Sequences and attention"). */
const dir = mkdtempSync(join(tmpdir(), "mgpuc-text-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function textFile(name: string, content: string): string {
  writeFileSync(join(dir, name), content);
  return name;
}

const load = (path: string, block: number, inputShape: readonly number[] = [block]) =>
  loadDataset({ kind: "text", path, block }, { inputShape, baseDir: dir });

describe("text(path, block)", () => {
  it("gives windows every `block` characters, labels shifted by one, ids in the sorted vocabulary", async () => {
    const ds = await load(textFile("abc.txt", "cabbage 🐳 cab"), 4);
    // 14 code points: windows at 0, 4, 8 (the last needs characters 8..12 and its label 13).
    expect(ds.vocabulary).toEqual([" ", "a", "b", "c", "e", "g", "🐳"]);
    expect(ds.count).toBe(3);
    const decode = (ids: ArrayLike<number>) => Array.from(ids, (i) => ds.vocabulary![i]).join("");
    expect(decode(ds.x.subarray(0, 4))).toBe("cabb");
    expect(decode(ds.y.subarray(0, 4))).toBe("abba");
    expect(decode(ds.x.subarray(8, 12))).toBe("🐳 ca");
    expect(decode(ds.y.subarray(8, 12))).toBe(" cab");
    expect(ds.sampleShape).toEqual([4]);
    expect(ds.labelShape).toEqual([4]);
    expect(ds.numClasses).toBe(7);
    expect(ds.y).toBeInstanceOf(Int32Array);
  });

  it("validation is the end of the text: no window is in both parts", async () => {
    const ds = await load(
      textFile("long.txt", "the quick brown fox jumps over the lazy dog. ".repeat(10)),
      5,
    );
    const { train, validation } = splitValidation(ds, 0.25, 42);
    expect(train.count + validation.count).toBe(ds.count);
    expect(validation.count).toBe(ds.count - Math.floor(ds.count * 0.75));
    // The validation windows are the last ones, in order.
    expect(Array.from(validation.x)).toEqual(Array.from(ds.x.subarray(train.count * 5)));
    expect(Array.from(train.x)).toEqual(Array.from(ds.x.subarray(0, train.count * 5)));
  });

  it("reads a validation or evaluated text with the training text's ids, and refuses characters it lacks", async () => {
    const training = [" ", "a", "b", "c", "e", "g", "z", "🐳"];
    const ds = await loadDataset(
      { kind: "text", path: textFile("val.txt", "cab zag bag"), block: 4 },
      { inputShape: [4], baseDir: dir, vocabulary: training },
    );
    expect(ds.vocabulary).toEqual(training);
    expect(Array.from(ds.x.subarray(0, 4), (i) => training[i]).join("")).toBe("cab ");
    expect(ds.numClasses).toBe(8);
    await expect(
      loadDataset(
        { kind: "text", path: textFile("odd.txt", "cab dog cab"), block: 4 },
        { inputShape: [4], baseDir: dir, vocabulary: training },
      ),
    ).rejects.toThrow(/has 2 character\(s\) the training text lacks \("d", "o"\)/);
  });

  it("refuses an empty file, a block as long as the text, a missing file and a mismatched input", async () => {
    await expect(load(textFile("empty.txt", ""), 4)).rejects.toThrow(/empty\.txt is empty/);
    await expect(load(textFile("short.txt", "abcd"), 4)).rejects.toThrow(
      /has 4 characters, too few for one window of block 4 and its next character; use a block below 4/,
    );
    await expect(load("nowhere.txt", 4)).rejects.toThrow(/data file not found: .*nowhere\.txt/);
    await expect(load("abc.txt", 4, [8])).rejects.toThrow(DataError);
  });
});

describe("moby_dick(block)", () => {
  it("is the novel: 1,213,006 characters, 89 distinct, windows of 64", async () => {
    const ds = await loadDataset({ kind: "moby_dick", block: 64 }, { inputShape: [64], baseDir: dir });
    expect(ds.vocabulary).toHaveLength(89);
    expect(ds.count).toBe(Math.floor((1_213_006 - 1) / 64));
    expect(ds.description).toContain("1,213,006 characters, 89 distinct");
    const start = Array.from(ds.x.subarray(0, 8), (i) => ds.vocabulary![i]).join("");
    expect(start).toBe("CONTENTS");
  });
});
