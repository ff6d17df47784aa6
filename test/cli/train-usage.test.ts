import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCliAsync as runCli } from "../support/spawn-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mgpuc-usage-"));
const MNIST = "examples/mnist.model";
/** A stack frame, as Node prints them: never shown for a user's mistake. */
const STACK = /\n\s+at .+:\d+:\d+\)?\n/;
/** Tests that train: a few CLI runs each, on cores other tests share. */
const TRAINS = { timeout: 240_000 };

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("mgpuc train: usage errors before anything starts (exit 2)", () => {
  it("--epochs 0 is refused (--steps 0 is not: it saves the initial weights)", async () => {
    const r = await runCli(["train", MNIST, "--epochs", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/option '--epochs <\w>' argument '0' is invalid\. expected an integer >= 1/);
    expect(r.stdout).toBe("");
    const negative = await runCli(["train", MNIST, "--steps", "-1"]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/expected an integer >= 0/);
  });

  it("--steps 0 saves the seeded initial weights and trains nothing", TRAINS, async () => {
    const save = join(tmp, "initial");
    const r = await runCli(["train", MNIST, "--steps", "0", "--save", save]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(save, "latest"), "utf8").trim()).toBe("step-0");
    expect(r.stdout).toMatch(
      /final: loss=n\/a accuracy=n\/a val_accuracy=n\/a samples_per_s=n\/a weights_l2=\d/,
    );
  });

  it(
    "a batch smaller than its data-parallel replicas is bad usage; under model parallelism it runs",
    TRAINS,
    async () => {
      const split = await runCli([
        "train",
        MNIST,
        "--batch",
        "1",
        "--devices",
        "2",
        "--strategy",
        "data",
        "--no-save",
      ]);
      expect(split.code).toBe(2);
      expect(split.stderr).toBe(
        "error: --batch 1 is smaller than the 2 data-parallel replicas it is split over (every replica needs a " +
          "row); give --batch 2 or more, or fewer --devices\n",
      );
      expect(split.stdout).toBe("");
      // Model parallelism does not split the batch: one row is a batch like any other, and the banner says so.
      const whole = await runCli([
        ...["train", MNIST, "--batch", "1", "--devices", "2", "--strategy", "model"],
        ...["--steps", "1", "--no-save"],
      ]);
      expect(whole.code, whole.stderr).toBe(0);
      expect(whole.stdout).toMatch(
        /· global batch 1, whole on every device \(layers are split, not the batch\)$/m,
      );
      expect(whole.stdout).not.toMatch(/per device/);
    },
  );

  it("a device count past the CPU limit is refused before compiling", async () => {
    const r = await runCli(["train", MNIST, "--devices", "100000"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: --devices 100000: at most 128 CPU devices \(this machine has \d+ cores/,
    );
  });
});

describe("mgpuc train: checkpoints checked before training", () => {
  it("--save under a regular file: exit 3 before the banner, naming the folder", TRAINS, async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "not a folder");
    const r = await runCli(["train", MNIST, "--steps", "1", "--save", join(file, "run")]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(
      `error: cannot write checkpoints in ${join(file, "run")}: not a directory (ENOTDIR); give --save a ` +
        "folder that can be written, or --no-save\nkept: nothing (no checkpoint was written)\n",
    );
    expect(r.stdout + r.stderr).not.toMatch(STACK);
  });

  it(
    "--resume of another model's checkpoint: one line naming both models and what differs, exit 2",
    TRAINS,
    async () => {
      const cnn = join(tmp, "cnn");
      const first = await runCli(["train", "examples/cnn.model", "--steps", "1", "--save", cnn]);
      expect(first.code, first.stderr).toBe(0);
      const r = await runCli(["train", MNIST, "--steps", "2", "--resume", cnn]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error: --resume ${cnn}: ${cnn}/step-1 is a checkpoint of model 'Cnn', not 'Mnist' \\(\\d+ weight ` +
            "tensors there, 4 here; the first weight to differ is conv2d/kernel \\[[\\d, ]+\\] there, " +
            "dense/kernel \\[784, 128\\] here\\)\n$",
        ),
      );
      // Nothing was written into the other model's run.
      expect(readdirSync(cnn).sort()).toEqual(["latest", "step-1"]);
    },
  );

  it("--resume of a run already at --steps: one line, exit 0, no second checkpoint", TRAINS, async () => {
    const run = join(tmp, "mnist");
    const first = await runCli(["train", MNIST, "--steps", "2", "--save", run]);
    expect(first.code, first.stderr).toBe(0);
    const r = await runCli(["train", MNIST, "--steps", "2", "--resume", run]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${run}/step-2 is already at step 2 = --steps; nothing to train\n`);
    expect(readdirSync(run).sort()).toEqual(["latest", "step-2"]);
    expect(readFileSync(join(run, "latest"), "utf8").trim()).toBe("step-2");
  });
});

describe("mgpuc run: a hand-edited plan is checked for meaning before any device starts (exit 1)", () => {
  const plan = join(tmp, "plan.json");
  interface EditablePlan {
    devices: { count: number };
    layers: { placement: { devices: number[]; modelDegree: number; stage: number } }[];
  }
  const runEdited = async (edit: (p: EditablePlan) => void) => {
    const p = JSON.parse(readFileSync(plan, "utf8")) as EditablePlan;
    edit(p);
    const file = join(tmp, "edited.json");
    writeFileSync(file, JSON.stringify(p));
    const r = await runCli(["run", file, "--steps", "1", "--no-save"]);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
    return r.stderr.replaceAll(`${file}: error: `, "");
  };

  it(
    "device 5 of 2, modelDegree 3 of 2 devices, stage 7, devices.count 1 under model×2 layers",
    TRAINS,
    async () => {
      const r = await runCli([MNIST, "--devices", "2", "--strategy", "model", "-o", plan]);
      expect(r.code, r.stderr).toBe(0);
      expect(await runEdited((p) => (p.layers[2]!.placement.devices[1] = 5))).toBe(
        "layers[2].placement.devices[1]: device 5 does not exist: devices.count is 2 (devices 0–1)\n",
      );
      expect(await runEdited((p) => (p.layers[3]!.placement.modelDegree = 3))).toBe(
        "layers[3].placement.modelDegree: 3 does not divide the 2 device(s) of stage 0 it is placed on\n",
      );
      expect(await runEdited((p) => (p.layers[4]!.placement.stage = 7))).toMatch(
        /^layers\[4\]\.placement\.stage: 7, but no layer is on stages 1–6; stages are numbered 0, 1, 2… without gaps\n/,
      );
      const count = await runEdited((p) => (p.devices.count = 1));
      expect(count).toMatch(
        /^layers\[0\]\.placement\.devices\[1\]: device 1 does not exist: devices\.count is 1 \(device 0\)\n/,
      );
      expect(count).not.toMatch(STACK);
    },
  );
});
