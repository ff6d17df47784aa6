import { describe, expect, it } from "vitest";
import { microbatchProgram } from "../../compiler/plan/index.js";

/**
 * Runs the stages' programs of a K-stage chain as the runtime would (a forward of stage s > 0 waits for stage
 * s − 1's forward of the micro-batch, a backward of stage s < K − 1 for stage s + 1's backward; sends never
 * wait), one op at a time on whichever stage can go. Returns each stage's most micro-batches held (forward
 * done, backward not), or undefined when every remaining stage waits (a deadlock). The last stage's forward is forward and backward together.
 */
function simulate(order: "gpipe" | "1f1b", K: number, M: number) {
  const programs = Array.from({ length: K }, (_, s) => microbatchProgram(order, s, K, M));
  const at = new Array<number>(K).fill(0);
  const forwardDone = Array.from({ length: K }, () => new Set<number>());
  const backwardDone = Array.from({ length: K }, () => new Set<number>());
  const maxStashed = new Array<number>(K).fill(0);
  for (;;) {
    let progressed = false;
    for (let s = 0; s < K; s++) {
      const op = programs[s]![at[s]!];
      if (op === undefined) continue;
      const ready =
        op.op === "forward"
          ? s === 0 || forwardDone[s - 1]!.has(op.micro)
          : s === K - 1 || backwardDone[s + 1]!.has(op.micro);
      if (!ready) continue;
      if (op.op === "forward") forwardDone[s]!.add(op.micro);
      if (op.op === "backward" || s === K - 1) backwardDone[s]!.add(op.micro);
      maxStashed[s] = Math.max(maxStashed[s]!, forwardDone[s]!.size - backwardDone[s]!.size);
      at[s]!++;
      progressed = true;
    }
    if (at.every((i, s) => i === programs[s]!.length)) return { maxStashed };
    if (!progressed) return undefined;
  }
}

describe("micro-batch programs", () => {
  for (const order of ["gpipe", "1f1b"] as const)
    it(`${order}: every stage runs each micro-batch's forward and backward once, forward first, without deadlock`, () => {
      for (let K = 1; K <= 5; K++)
        for (let M = 1; M <= 9; M++) {
          for (let s = 0; s < K; s++) {
            const program = microbatchProgram(order, s, K, M);
            const forwards = program.filter((o) => o.op === "forward").map((o) => o.micro);
            expect(forwards).toEqual(Array.from({ length: M }, (_, i) => i));
            const backwards = program.filter((o) => o.op === "backward").map((o) => o.micro);
            if (s === K - 1) expect(backwards).toEqual([]);
            else {
              expect([...backwards].sort((a, b) => a - b)).toEqual(forwards);
              for (const b of backwards)
                expect(program.findIndex((o) => o.op === "forward" && o.micro === b)).toBeLessThan(
                  program.findIndex((o) => o.op === "backward" && o.micro === b),
                );
            }
          }
          expect(simulate(order, K, M), `${order} K=${K} M=${M}`).toBeDefined();
        }
    });

  it("1F1B holds at most K − s micro-batches on stage s; GPipe holds all M", () => {
    const K = 4;
    const M = 8;
    const oneF = simulate("1f1b", K, M)!;
    const gpipe = simulate("gpipe", K, M)!;
    for (let s = 0; s < K - 1; s++) {
      expect(oneF.maxStashed[s]).toBeLessThanOrEqual(K - s);
      expect(gpipe.maxStashed[s]).toBe(M);
    }
  });

  it("1F1B's first stage starts a backward before its last forward; GPipe's does not", () => {
    const first = (order: "gpipe" | "1f1b") =>
      microbatchProgram(order, 0, 2, 4).map((o) => `${o.op[0]}${o.micro}`);
    expect(first("1f1b")).toEqual(["f0", "f1", "b0", "f2", "b1", "f3", "b2", "b3"]);
    expect(first("gpipe")).toEqual(["f0", "f1", "f2", "f3", "b3", "b2", "b1", "b0"]);
  });
});
