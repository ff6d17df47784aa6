import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitTypeScript } from "../../compiler/emit/typescript/index.js";
import { HOSTILE_PATH, hostile, hostileTraining, planFor } from "./graphs.js";
import { programDir, runProgram } from "./program-dir.js";

describe("an emitted program, run", () => {
  it("treats a hostile data path as text: it fails only to find that file (exit 3, naming it)", async () => {
    const dir = programDir("emit-ts-run-hostile");
    const file = join(dir, "hostile.ts");
    writeFileSync(
      file,
      await emitTypeScript({
        graph: hostile,
        training: hostileTraining(dir),
        plan: planFor(hostile, 1),
        modelFile: join(dir, "hostile.model"),
      }),
    );
    const run = await runProgram(dir, file, ["--steps", "1"]);
    expect(run.status, run.output).toBe(3);
    const message = `data file not found: ${join(dir, HOSTILE_PATH)}`;
    expect(run.output).toContain(message);
    // Said once, by the runtime: the program adds nothing to a failure the runtime already reported.
    expect(run.output.split(message).length).toBe(2);
  });

  it("rejects bad flags with exit 2 and the usage line", async () => {
    const dir = programDir("emit-ts-run-usage");
    const file = join(dir, "usage.ts");
    writeFileSync(
      file,
      await emitTypeScript({
        graph: hostile,
        training: hostileTraining(dir),
        plan: planFor(hostile, 1),
        modelFile: join(dir, "usage.model"),
      }),
    );
    const run = await runProgram(dir, file, ["--steps", "zero"]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toContain('--steps takes an integer >= 1, got "zero"');
    expect(run.output).toContain("usage: npx tsx usage.ts");
  });
});
