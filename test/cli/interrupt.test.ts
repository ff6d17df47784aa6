import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../../runtime/checkpoint/index.js";
import { type LiveCli, processesOfRun, startCli } from "../support/spawn-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mgpuc-interrupt-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A stack frame, as Node prints them. */
const STACK = /\n\s+at .+:\d+:\d+\)?\n/;
/** Each test starts a run, waits for its first steps, signals it and waits for it to end. */
const SIGNALS = { timeout: 240_000 };

/** `mgpuc train` with far more steps than it will take: only a signal ends it. */
function startTraining(dir: string, extra: readonly string[], detached = false): LiveCli {
  return startCli(
    [
      "train",
      "examples/mnist.model",
      "--steps",
      "1000000",
      "--devices",
      "2",
      "--json",
      "--save",
      dir,
      ...extra,
    ],
    { detached },
  );
}

const isStep = (line: string) => line.includes('"event":"step"');

/** The `--json` events of a run's stdout. */
function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * What every interrupted run must show: exit 130; last event `interrupted at step N; kept DIR/step-N` with N
 * at least the steps seen; `DIR/latest` naming that checkpoint, which loads at step N; no stack trace; and
 * not one process of the run left (the CLI and its device processes carry the run's tag in their environment).
 */
async function expectCleanStop(run: LiveCli, dir: string, seenSteps: number): Promise<void> {
  const r = await run.exited;
  expect(r.code, r.stderr).toBe(130);
  expect(r.stdout + r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(/EPIPE|Error:/);
  const last = events(r.stdout).at(-1)!;
  const step = last.step as number;
  expect(step).toBeGreaterThanOrEqual(seenSteps);
  expect(last).toEqual({
    event: "error",
    message: `interrupted at step ${step}; kept ${dir}/step-${step}`,
    interrupted: true,
    step,
    kept: `${dir}/step-${step}`,
  });
  expect(readFileSync(join(dir, "latest"), "utf8").trim()).toBe(`step-${step}`);
  const loaded = await loadCheckpoint(dir);
  expect(loaded.position.step).toBe(step);
  loaded.model.dispose();
  expect(processesOfRun(run.tag)).toEqual([]);
}

describe("SIGINT / SIGTERM: stop at a step boundary, keep a checkpoint, exit 130, leave no process", () => {
  it("threads: SIGINT to mgpuc", SIGNALS, async () => {
    const dir = join(tmp, "threads");
    const run = startTraining(dir, ["--transport", "thread"]);
    await run.waitForLine(isStep);
    run.child.kill("SIGINT");
    await expectCleanStop(run, dir, 1);
  });

  it("processes: Ctrl-C to the whole process group, device processes included", SIGNALS, async () => {
    const dir = join(tmp, "group");
    const run = startTraining(dir, ["--transport", "process"], true);
    await run.waitForLine(isStep);
    const devices = processesOfRun(run.tag).filter((pid) => pid !== run.child.pid);
    expect(devices).toHaveLength(2);
    process.kill(-run.child.pid!, "SIGINT");
    await expectCleanStop(run, dir, 1);
    for (const pid of devices) expect(processesOfRun(run.tag)).not.toContain(pid);
  });

  it("processes, a model-parallel plan: SIGTERM to one device process only", SIGNALS, async () => {
    const dir = join(tmp, "device");
    const run = startTraining(dir, ["--transport", "process", "--strategy", "model"]);
    await run.waitForLine(isStep);
    const devices = processesOfRun(run.tag).filter((pid) => pid !== run.child.pid);
    expect(devices).toHaveLength(2);
    process.kill(devices[1]!, "SIGTERM");
    await expectCleanStop(run, dir, 1);
  });

  it("processes: a second signal stops at once, still leaving no process", SIGNALS, async () => {
    const dir = join(tmp, "twice");
    const run = startTraining(dir, ["--transport", "process"]);
    await run.waitForLine(isStep);
    // Held stopped, the process receives both signals at once when it continues: the second always finds the
    // first one's stop still in progress. (Two SIGINTs would merge into one while it is stopped.)
    const pid = run.child.pid!;
    process.kill(pid, "SIGSTOP");
    process.kill(pid, "SIGINT");
    process.kill(pid, "SIGTERM");
    process.kill(pid, "SIGCONT");
    const r = await run.exited;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^SIG(INT|TERM) again: stopping at once, without saving the step in progress$/m);
    expect(r.stdout + r.stderr).not.toMatch(STACK);
    expect(processesOfRun(run.tag)).toEqual([]);
  });
});
