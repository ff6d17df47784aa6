import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frontend } from "../expand/frontend.js";
import { SEEDS, frontEndHolds, mutation, tokenSoup, truncation } from "../fuzz/front-end-property.js";

describe("front end under random input", () => {
  it("accepts the seeds cleanly", () => {
    for (const seed of SEEDS) expect(frontend(seed).diagnostics).toEqual([]);
  });

  it("never throws on token soups", () => {
    fc.assert(fc.property(tokenSoup, frontEndHolds), { numRuns: 1500 });
  });

  it("never throws on truncated examples", () => {
    fc.assert(fc.property(truncation, frontEndHolds), { numRuns: 800 });
  });

  it("never throws on single-character mutations of the examples", () => {
    fc.assert(fc.property(mutation, frontEndHolds), { numRuns: 1500 });
  });
});
