import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runRanks } from "./run-ranks.js";

/**
 * The harness that runs a program's ranks (run-ranks.ts): a run that hangs is stopped after its time limit and
 * fails with where each rank was waiting (Python's faulthandler), not with a bare test timeout.
 */

const dir = mkdtempSync(join(tmpdir(), "mgpuc-run-ranks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("runRanks", () => {
  it("stops ranks that outlive the limit and keeps where they were", async () => {
    const program = join(dir, "hang.py");
    writeFileSync(
      program,
      [
        "import os, time",
        "def wait_for_peer():",
        "    while True:",
        "        time.sleep(0.05)",
        "print('rank', os.environ['RANK'], 'waiting', flush=True)",
        "wait_for_peer()",
      ].join("\n"),
    );
    const ranks = await runRanks(program, 2, [], {}, 3_000);
    expect(ranks).toHaveLength(2);
    for (const [rank, r] of ranks.entries()) {
      expect(r.code).not.toBe(0);
      expect(r.output).toContain(`rank ${rank} waiting`);
      expect(r.output).toContain("[still running after 3 s: stopped with SIGABRT]");
      // faulthandler's dump names the function each rank was in.
      expect(r.output).toMatch(/File ".*hang\.py", line \d+ in wait_for_peer/);
    }
  });

  it("leaves a run that ends in time as it was", async () => {
    const program = join(dir, "ok.py");
    writeFileSync(program, "import os\nprint('final: rank=' + os.environ['RANK'])\n");
    const ranks = await runRanks(program, 2, [], {}, 30_000);
    expect(ranks.map((r) => r.code)).toEqual([0, 0]);
    expect(ranks[1]!.output).toBe("final: rank=1\n");
  });
});
