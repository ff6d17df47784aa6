import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitSummary } from "../../compiler/emit/summary.js";
import { compileExample } from "../passes/compile.js";
import { GOLDEN_DIR, expectGolden } from "../support/golden.js";

/** `--emit summary` of each example, as Keras 3 prints `model.summary()`; `npm run golden:update` rewrites them. */
describe("summary golden files", () => {
  for (const example of ["mnist", "cnn", "residual", "vgg16", "resnet50"])
    it(example, () => {
      const { graph, diagnostics } = compileExample(`${example}.model`);
      expect(diagnostics).toEqual([]);
      const summary = emitSummary(graph!);
      expect(summary).toMatch(/^ *Total params: [0-9,]+/m);
      expectGolden(join(GOLDEN_DIR, example, "summary.txt"), summary);
    });
});
