import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { dumpExpanded } from "../../compiler/passes/expand/index.js";
import { frontend } from "../expand/frontend.js";
import { GOLDEN_DIR, expectGolden } from "../support/golden.js";

/**
 * Every `fe-*` case: a clean input.model is dumped after expansion (`ast.txt`); a broken one has its rendered
 * diagnostics (`errors.txt`). `npm run golden:update` rewrites them; review the diff.
 */
const CASES = readdirSync(GOLDEN_DIR).filter(
  (name) => name.startsWith("fe-") && existsSync(join(GOLDEN_DIR, name, "input.model")),
);

describe("front-end goldens", () => {
  it.each(CASES)("%s", (name) => {
    const dir = join(GOLDEN_DIR, name);
    const run = frontend(readFileSync(join(dir, "input.model"), "utf8"), "input.model");
    if (run.diagnostics.length > 0) {
      expectGolden(
        join(dir, "errors.txt"),
        renderDiagnostics(run.diagnostics, () => run.source, { color: false }),
      );
    } else {
      expectGolden(join(dir, "ast.txt"), dumpExpanded(run.models, run.source));
    }
  });
});
