import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainText } from "../../compiler/emit/explain.js";
import { emitPlan } from "../../compiler/emit/plan.js";
import { validatePlanObject } from "../../compiler/plan/load-plan.js";
import { compileExampleFile, EXAMPLES } from "../placement/graphs.js";
import { GOLDEN_DIR, GoldenFiles, STALE_HINT } from "../support/golden.js";

/** The plan and explanation of each example with its own `parallel` section; `npm run golden:update` rewrites them. */
const golden = new GoldenFiles("plan");

describe("plan and explain golden files", () => {
  for (const example of EXAMPLES)
    it(example, () => {
      const result = compileExampleFile(example);
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const plan = result.plan!;
      expect(validatePlanObject(plan)).toBe(true);
      const text = emitPlan(plan);
      expect(emitPlan(compileExampleFile(example).plan!)).toBe(text);
      golden.expect(join(GOLDEN_DIR, example, "plan.json"), text);
      golden.expect(join(GOLDEN_DIR, example, "explain.txt"), explainText(plan));
    });

  it("read every plan.json and explain.txt (last: the examples above ran first)", () => {
    expect(golden.unread(), STALE_HINT).toEqual([]);
  });
});
