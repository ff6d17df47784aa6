import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitTypeScript } from "../../compiler/emit/typescript/index.js";
import { GOLDEN_DIR } from "../support/golden.js";
import { hostile, hostileTraining, mlp, planFor, residual, training, twoCalls } from "./graphs.js";
import { programDir, typeCheck } from "./program-dir.js";

describe("emitted programs", () => {
  it("type-check against the package's own types (one tsc run over all of them)", async () => {
    const dir = programDir("emit-ts-typecheck");
    const { data: _data, loss: _loss, ...untrained } = training;
    const cases = {
      mlp: { graph: mlp, training },
      residual: { graph: residual, training },
      hostile: { graph: hostile, training: hostileTraining(dir) },
      "no-train": { graph: residual, training: untrained },
      blocks: { graph: twoCalls, training },
      // A block called `class`: its helper function must be renamed, its layer names kept.
      "hostile-blocks": {
        graph: {
          ...twoCalls,
          nodes: twoCalls.nodes.map((n) => ({ ...n, name: n.name.replace(/^blk/, "class") })),
        },
        training,
      },
    };
    const files: string[] = [];
    for (const [name, c] of Object.entries(cases)) {
      const file = join(dir, `${name}.ts`);
      writeFileSync(
        file,
        await emitTypeScript({ ...c, plan: planFor(c.graph), modelFile: join(dir, `${name}.model`) }),
      );
      files.push(file);
    }
    // A plan too large to inline is read from its file at run time.
    const big = join(dir, "plan-file.ts");
    const plan = planFor(residual);
    const layers = Array.from({ length: 40 }, (_, i) => ({ ...plan.layers[0]!, name: `l${i}` }));
    writeFileSync(
      big,
      await emitTypeScript({
        graph: residual,
        training,
        plan: { ...plan, layers },
        modelFile: "x.model",
        planFile: "x.plan.json",
      }),
    );
    files.push(big);
    // Every golden program too: they are what users see.
    if (existsSync(GOLDEN_DIR))
      for (const entry of readdirSync(GOLDEN_DIR)) {
        const golden = join(GOLDEN_DIR, entry, "expected.ts");
        if (existsSync(golden)) files.push(golden);
      }
    expect(await typeCheck(dir, files)).toBe("");
  });
});
