import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/run-cli.js";
import { runCliAsync as runCli } from "../support/spawn-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mgpuc-data-flags-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 16 × 16 images in 4 classes, as IDX files. */
function idx16(): string {
  const header = (shape: number[]) => {
    const bytes = Buffer.alloc(4 + 4 * shape.length);
    bytes.writeUInt8(0x08, 2);
    bytes.writeUInt8(shape.length, 3);
    shape.forEach((d, i) => bytes.writeUInt32BE(d, 4 + 4 * i));
    return bytes;
  };
  const images = join(tmp, "images.idx");
  const labels = join(tmp, "labels.idx");
  writeFileSync(images, Buffer.concat([header([8, 16, 16]), Buffer.alloc(8 * 256, 7)]));
  writeFileSync(labels, Buffer.concat([header([8]), Buffer.from([0, 1, 2, 3, 0, 1, 2, 3])]));
  return `idx(${JSON.stringify(images)}, ${JSON.stringify(labels)})`;
}

/** Nothing started: no banner, no final line. */
function refusedBeforeTraining(r: { code: number | null; stdout: string; stderr: string }) {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).not.toMatch(/mgpuc ·|final:/);
}

describe("--data and --loss go through the compile-time data and loss checks", () => {
  it("--loss mse against the 10-way softmax: MG2114 at the flag, before training", async () => {
    const r = await runCli(["train", "examples/mnist.model", "--loss", "mse", "--steps", "1", "--no-save"]);
    refusedBeforeTraining(r);
    expect(r.stderr).toMatch(
      /^--loss mse error MG2114: loss 'mse' compares the output with one label value/m,
    );
    expect(r.stderr).toContain("hint: for class labels use `loss: sparse_categorical_crossentropy`");
  });

  it("--data with another image size: MG2104 naming the file's shape, for a model file and a plan", async () => {
    const data = idx16();
    const model = await runCli([
      "train",
      "examples/mnist.model",
      "--data",
      data,
      "--steps",
      "1",
      "--no-save",
    ]);
    refusedBeforeTraining(model);
    expect(model.stderr).toContain(
      `--data ${data} error MG2104: data 'idx' gives samples of shape [16, 16]; input 'image' expects [28, 28]`,
    );
    const plan = join(tmp, "plan.json");
    expect((await runCli(["examples/mnist.model", "--devices", "1", "-o", plan])).code).toBe(0);
    const run = await runCli(["run", plan, "--data", data, "--steps", "1", "--no-save"]);
    refusedBeforeTraining(run);
    expect(run.stderr).toContain("error MG2104: data 'idx' gives samples of shape [16, 16]");
  });

  it("--data replaces a file's data before the check: a file whose own data does not fit still trains", async () => {
    const text = readFileSync(join(REPO, "examples", "mnist.model"), "utf8").replace(
      /data: mnist/,
      `data: ${idx16()}`,
    );
    const file = join(tmp, "mnist-idx16.model");
    writeFileSync(file, text);
    expect((await runCli(["check", file])).stdout).toContain("MG2104");
    const r = await runCli(["train", file, "--data", "mnist", "--devices", "1", "--steps", "1", "--no-save"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^final: /m);
  });
});
