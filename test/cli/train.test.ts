import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliAsync as runCli } from "../support/spawn-cli.js";
import { expectSameWeights, readCheckpointWeights } from "../support/weights.js";

const FINAL =
  /^final: loss=[^ ]+ accuracy=[^ ]+ val_accuracy=[^ ]+ samples_per_s=[^ ]+ weights_l2=([0-9.eE+-]+)$/m;
const tmp = mkdtempSync(join(tmpdir(), "mgpuc-train-"));

describe("mgpuc train / run (CLI.md)", () => {
  it("trains, checkpoints, and resumes to the same weights as an uninterrupted run", async () => {
    const dir = join(tmp, "ck");
    const common = ["--devices", "2", "--seed", "7", "--batch", "32"];
    const first = await runCli(["train", "examples/mnist.model", ...common, "--steps", "6", "--save", dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(FINAL);
    const latest = readFileSync(join(dir, "latest"), "utf8").trim();
    expect(existsSync(join(dir, latest, "model.json"))).toBe(true);

    // --steps counts from the start of training, also across a resume (CLI.md).
    const straightDir = join(tmp, "straight");
    const resumed = await runCli([
      ...["train", "examples/mnist.model", ...common, "--steps", "12"],
      ...["--resume", dir, "--save", dir],
    ]);
    const straight = await runCli([
      "train",
      "examples/mnist.model",
      ...common,
      "--steps",
      "12",
      "--save",
      straightDir,
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(straight.code, straight.stderr).toBe(0);
    const l2 = (out: string) => Number(FINAL.exec(out)?.[1]);
    expect(l2(resumed.stdout)).toBeCloseTo(l2(straight.stdout), 4);
    // Same weights means every tensor: the resumed run's last checkpoint equals the straight run's (a change
    // of 1e-3 in one value moves weights_l2 by 1e-6, below what the final line shows).
    expect(readFileSync(join(dir, "latest"), "utf8").trim()).toBe("step-12");
    const weights = readCheckpointWeights(dir);
    expect(weights.size).toBe(4);
    expectSameWeights(weights, readCheckpointWeights(straightDir), 1e-6, "resumed vs straight");
  });

  it("fails with exit 3 naming a data file that does not exist", async () => {
    const r = await runCli([
      "train",
      "examples/mnist.model",
      "--steps",
      "2",
      "--no-save",
      "--data",
      'idx("no-such-images.gz", "x.gz")',
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toMatch(/no-such-images\.gz/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  });

  it("rejects a bad --data value as a usage error with the language's own message", async () => {
    const r = await runCli(["train", "examples/mnist.model", "--data", "mnsit"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--data mnsit: .*did you mean 'mnist'/);
  });

  it("runs a compiled plan, and rejects a truncated one clearly", async () => {
    const plan = join(tmp, "plan.json");
    expect((await runCli(["examples/mnist.model", "--devices", "2", "-o", plan])).code).toBe(0);
    const r = await runCli(["run", plan, "--steps", "3", "--no-save", "--seed", "1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(FINAL);

    const truncated = join(tmp, "truncated.json");
    const text = readFileSync(plan, "utf8");
    writeFileSync(truncated, text.slice(0, text.length / 2));
    const bad = await runCli(["run", truncated]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not complete JSON/);
  });
});
