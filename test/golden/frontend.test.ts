import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderDiagnostics } from "../../compiler/diagnostics/index.js";
import { dumpExpanded } from "../../compiler/passes/expand/index.js";
import { frontend } from "../expand/frontend.js";
import { GOLDEN_DIR, GoldenFiles, STALE_HINT } from "../support/golden.js";

/**
 * Every `fe-*` case: a clean input.model is dumped after expansion (`ast.txt`); a broken one has its rendered
 * diagnostics (`errors.txt`). `npm run golden:update` rewrites them; review the diff.
 */
const CASES = readdirSync(GOLDEN_DIR).filter(
  (name) => name.startsWith("fe-") && existsSync(join(GOLDEN_DIR, name, "input.model")),
);

const golden = new GoldenFiles("frontend");

describe("front-end goldens", () => {
  it.each(CASES)("%s", (name) => {
    const dir = join(GOLDEN_DIR, name);
    const run = frontend(golden.input(join(dir, "input.model")), "input.model");
    if (run.diagnostics.length > 0) {
      golden.expect(
        join(dir, "errors.txt"),
        renderDiagnostics(run.diagnostics, () => run.source, { color: false }),
      );
    } else {
      golden.expect(join(dir, "ast.txt"), dumpExpanded(run.models, run.source));
    }
  });

  it("read every fe-* golden file (last: the cases above ran first)", () => {
    expect(golden.unread(), STALE_HINT).toEqual([]);
  });
});
