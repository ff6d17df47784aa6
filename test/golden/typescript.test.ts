import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitTypeScript } from "../../compiler/emit/typescript.js";
import { compileSource, readSource } from "../../compiler/pipeline.js";
import { GOLDEN_DIR, GoldenFiles, STALE_HINT } from "../support/golden.js";

const EXAMPLES = join(GOLDEN_DIR, "..", "..", "examples");
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".model"))
  .sort();

// `--emit ts` for every example, against test/golden/<example>/expected.ts (`npm run golden:update` rewrites).
const golden = new GoldenFiles("typescript");

describe("--emit ts goldens", () => {
  it.each(examples)("%s", async (file) => {
    const modelFile = join(EXAMPLES, file);
    const result = compileSource(readSource(modelFile));
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    expect(errors, JSON.stringify(errors)).toEqual([]);
    const { graph, training, plan } = result;
    if (!graph || !training || !plan) throw new Error(`${file}: compile stopped after ${result.reached}`);
    const text = await emitTypeScript({ graph, training, plan, modelFile });
    golden.expect(join(GOLDEN_DIR, basename(file, ".model"), "expected.ts"), text);
  });

  it("read every expected.ts (last: the examples above ran first)", () => {
    expect(golden.unread(), STALE_HINT).toEqual([]);
  });
});
