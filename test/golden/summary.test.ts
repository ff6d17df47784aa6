import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitSummary } from "../../compiler/emit/summary.js";
import { compileExample } from "../passes/compile.js";
import { GOLDEN_DIR, GoldenFiles, STALE_HINT } from "../support/golden.js";

/** `--emit summary` of each example, as Keras 3 prints `model.summary()`; `npm run golden:update` rewrites them. */
const golden = new GoldenFiles("summary");

describe("summary golden files", () => {
  for (const example of ["mnist", "cnn", "residual", "vgg16", "resnet50"])
    it(example, () => {
      const { graph, diagnostics } = compileExample(`${example}.model`);
      expect(diagnostics).toEqual([]);
      const summary = emitSummary(graph!);
      expect(summary).toMatch(/^ *Total params: [0-9,]+/m);
      golden.expect(join(GOLDEN_DIR, example, "summary.txt"), summary);
    });

  it("read every summary.txt (last: the examples above ran first)", () => {
    expect(golden.unread(), STALE_HINT).toEqual([]);
  });
});
