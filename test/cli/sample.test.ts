import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draw } from "../../runtime/sample-text.js";
import { runCli } from "../support/run-cli.js";

/**
 * `mgpuc sample` on a character-level model trained by `mgpuc train` on a small text: what it writes reads as
 * the text's words, the same seed gives the same text, and a prompt or checkpoint it cannot use is a clear
 * error (exit 2), never a stack trace.
 */
const dir = mkdtempSync(join(tmpdir(), "mgpuc-sample-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = "the cat sat on the mat. the dog ate the hat. ".repeat(60);
const MODEL = `block decoder(x) {
  layernorm -> attention(2, causal: true)
  h = add(_, x)
  layernorm -> dense(64, activation: gelu) -> dense(32)
  add(_, h)
}
model Cat {
  input tokens: int32[16]
  x = embedding(16, 32)
  p = position_embedding(16)
  add(x, p)
  decoder(_)
  layernorm
  dense(16, activation: softmax)
}
train Cat {
  data: text("cat.txt", block: 16)
  optimizer: adam(lr: 0.01)
  loss: sparse_categorical_crossentropy
  metrics: [accuracy]
  epochs: 6
  batch: 16
  seed: 1
}`;

const run = join(dir, "run");

beforeAll(async () => {
  writeFileSync(join(dir, "cat.txt"), TEXT);
  writeFileSync(join(dir, "cat.model"), MODEL);
  const trained = await runCli(["train", join(dir, "cat.model"), "--devices", "2", "--save", run]);
  expect(trained.code, trained.stderr).toBe(0);
}, 300_000);

const sample = (...flags: string[]) => runCli(["sample", run, ...flags]);

describe("mgpuc sample", () => {
  it("continues the prompt with the text's own words", async () => {
    const greedy = await sample("--prompt", "the ", "--tokens", "80", "--temperature", "0");
    expect(greedy.code, greedy.stderr).toBe(0);
    expect(greedy.stdout.startsWith("the ")).toBe(true);
    expect([...greedy.stdout.trimEnd()]).toHaveLength(4 + 80);
    const words = greedy.stdout.match(/[a-z]{3,}/g) ?? [];
    const known = words.filter((w) => TEXT.includes(` ${w}`));
    expect(words.length).toBeGreaterThan(8);
    expect(known.length / words.length).toBeGreaterThanOrEqual(0.5);
  }, 120_000);

  it("is deterministic for a seed, and the seed matters", async () => {
    const args = ["--prompt", "the", "--tokens", "60", "--temperature", "1.5"];
    const [a, b, c] = await Promise.all([
      sample(...args, "--seed", "5"),
      sample(...args, "--seed", "5"),
      sample(...args, "--seed", "6"),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  }, 120_000);

  it("refuses a prompt with characters the model never saw, naming them (exit 2)", async () => {
    const bad = await sample("--prompt", "the Zoo", "--tokens", "5");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: the prompt has a character the model never saw: "Z"; its 13 characters are /,
    );
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("refuses a checkpoint without a vocabulary and a folder without a checkpoint", async () => {
    const mlp = join(dir, "mlp.model");
    writeFileSync(
      mlp,
      `model M { input x: [4]  dense(3, activation: softmax) }
train M { data: synthetic(samples: 32, classes: 3) loss: sparse_categorical_crossentropy }`,
    );
    const plain = join(dir, "plain");
    expect((await runCli(["train", mlp, "--devices", "1", "--steps", "2", "--save", plain])).code).toBe(0);
    const other = await runCli(["sample", plain, "--prompt", "x"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      "has no vocabulary: `mgpuc sample` reads models trained on text(...) or moby_dick(...)",
    );
    const missing = await runCli(["sample", join(dir, "nowhere"), "--prompt", "x"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error: checkpoint folder not found: /);
  }, 120_000);
});

describe("draw", () => {
  const p = [0.1, 0.6, 0.3];
  it("takes the likeliest at temperature 0 or with top-k 1", () => {
    expect(draw(p, { temperature: 0, topK: 0 }, 0.99)).toBe(1);
    expect(draw(p, { temperature: 1, topK: 1 }, 0.99)).toBe(1);
  });
  it("draws in proportion to the probabilities at temperature 1", () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 1000; i++) counts[draw(p, { temperature: 1, topK: 0 }, (i + 0.5) / 1000)]!++;
    expect(counts).toEqual([100, 600, 300]);
  });
  it("sharpens below temperature 1 and keeps only the top k", () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 1000; i++) counts[draw(p, { temperature: 0.5, topK: 2 }, (i + 0.5) / 1000)]!++;
    // 0.6² : 0.3² = 0.8 : 0.2 among the two kept; the least likely never drawn.
    expect(counts).toEqual([0, 800, 200]);
  });
});
