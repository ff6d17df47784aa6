import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { mobyDickText } from "../../compiler/data-formats/text-format.js";
import { emitTorch } from "../../compiler/emit/torch/index.js";
import { compileSource, readSource } from "../../compiler/pipeline.js";
import { pairedMlp, plan, training } from "./fixtures.js";
import {
  expectSameWeights,
  kerasToTorch,
  readCheckpointWeights,
  readTorchWeights,
  type Weights,
} from "../support/weights.js";
import { SYSTEM_PYTHON, torchMissing } from "./python.js";
import { runCli } from "../support/run-cli.js";
import { finalLine, runRanks } from "./run-ranks.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MNIST = join(ROOT, "examples", "mnist.model");
const STEPS = ["--steps", "20"];

// Off CI, a machine without Debian's torch skips these with the reason; CI installs python3-torch (.ci/run), so
// there a missing torch fails instead of passing silently.
const missing = process.env.CI === "true" ? undefined : torchMissing();
if (missing) console.warn(`skipping the torch training tests: ${missing}`);

it("has Debian's torch where CI runs, and says how to get it where the training tests skip", () => {
  if (process.env.CI === "true") expect(torchMissing()).toBeUndefined();
  if (missing === undefined) {
    // The tests below run: torch really imports and trains a step.
    const r = spawnSync(SYSTEM_PYTHON, ["-c", "import torch; print(torch.ones(2).sum().item())"], {
      encoding: "utf8",
    });
    expect(r.stdout.trim(), r.stderr).toBe("2.0");
  } else expect(missing).toMatch(/apt-get install -y python3-torch/);
});

/** The CLI from its sources (bin/mgpuc.js prefers a dist/ build, which may be older than the sources). */
async function mgpuc(args: readonly string[]) {
  const r = await runCli(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** `mgpuc examples/mnist.model --emit torch -o DIR/mnist.py`, as a user runs it; returns the program's path. */
async function emitWithCli(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), "mgpuc-torch-")), "mnist.py");
  const r = await mgpuc([MNIST, "--emit", "torch", "-o", out]);
  expect(r.status, r.stderr).toBe(0);
  return out;
}

/** The same model and training settings under an all-data-parallel plan over 2 devices (DDP only). */
function emitDataParallel(optimizerSharding?: "zero-1"): string {
  const { graph, training } = compileSource(readSource(MNIST));
  if (!graph || !training) throw new Error("examples/mnist.model does not compile");
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-torch-"));
  const planned = { ...plan(graph, 2), ...(optimizerSharding ? { schedule: { optimizerSharding } } : {}) };
  const result = emitTorch({ graph, training, plan: planned, modelFile: MNIST });
  for (const file of result.files) writeFileSync(join(dir, file.path), file.content);
  return join(dir, result.files[0]!.path);
}

/** What a run of `world` processes ends with: rank 0's final line (required) and every weight, whole. */
interface Trained {
  readonly final: Record<string, string>;
  readonly weights: Weights;
}

/**
 * Runs the program on `world` processes with MGPUC_WEIGHTS_OUT set, so rank 0 writes every weight (shards
 * gathered); a run that fails, prints no final line or writes no weights fails the test.
 */
async function train(program: string, world: number, args: readonly string[]): Promise<Trained> {
  const out = join(mkdtempSync(join(tmpdir(), "mgpuc-weights-")), "weights.json");
  const ranks = await runRanks(program, world, args, { MGPUC_WEIGHTS_OUT: out });
  for (const r of ranks) expect(r.code, r.output).toBe(0);
  for (const r of ranks.slice(1))
    expect(finalLine(r.output), "only rank 0 prints the final line").toBeUndefined();
  const final = finalLine(ranks[0]!.output);
  expect(final, `no final line:\n${ranks[0]!.output}`).toBeDefined();
  expect(existsSync(out), `no weights written:\n${ranks[0]!.output}`).toBe(true);
  return { final: final!, weights: readTorchWeights(out) };
}

/**
 * 1 and N processes from the same seed and global batches: every weight within 1e-5 after 20 Adam steps
 * (float32 sums in another order; the runtime's own N-vs-1 bound is 1e-4), and weights_l2 to 6 digits.
 */
const TOLERANCE = 1e-5;
const sig6 = (v: string | undefined) => Number(v).toPrecision(6);

function expectSameTraining(a: Trained, b: Trained, what: string) {
  expectSameWeights(a.weights, b.weights, TOLERANCE, what);
  expect(a.final.weights_l2).toMatch(/^\d+\.\d+$/);
  expect(sig6(a.final.weights_l2), what).toBe(sig6(b.final.weights_l2));
}

describe.skipIf(missing !== undefined)(
  "the emitted torch program trains examples/mnist.model (gloo, CPU)",
  () => {
    let program = "";
    let oneRank: Trained;

    beforeAll(async () => {
      program = await emitWithCli();
      oneRank = await train(program, 1, STEPS);
    }, 120_000);

    it("ends 1 process with the final line of CLI.md, having learned", () => {
      expect(Object.keys(oneRank.final)).toEqual([
        "loss",
        "accuracy",
        "val_accuracy",
        "samples_per_s",
        "weights_l2",
      ]);
      expect(oneRank.final.weights_l2).toMatch(/^\d+\.\d+$/);
      // 20 Adam steps of 64 digits take the loss well below chance's ln(10) = 2.303.
      expect(Number(oneRank.final.loss)).toBeLessThan(2.1);
      expect([...oneRank.weights.keys()].sort()).toEqual([
        "dense/bias",
        "dense/kernel",
        "dense_1/bias",
        "dense_1/kernel",
      ]);
    });

    it("2 processes, placed as the plan says, end with the same weights", async () => {
      const two = await train(program, 2, STEPS);
      expectSameTraining(two, oneRank, "plan on 2 vs 1");
      expect(two.final.loss).toBe(oneRank.final.loss);
    }, 120_000);

    it("2 data-parallel processes (DistributedDataParallel) end with the same weights", async () => {
      expectSameTraining(await train(emitDataParallel(), 2, STEPS), oneRank, "DDP on 2 vs 1");
    }, 120_000);

    it("2 processes under a ZeRO-1 plan (ZeroRedundancyOptimizer) end with the same weights", async () => {
      const sharded = emitDataParallel("zero-1");
      const code = readFileSync(sharded, "utf8");
      expect(code).toMatch(/^from torch\.distributed\.optim import ZeroRedundancyOptimizer$/m);
      expect(code).toMatch(/^ {4}optimizer = make_sharded_optimizer\(/m);
      expect(readFileSync(emitDataParallel(), "utf8")).not.toMatch(/ZeroRedundancyOptimizer/);
      expectSameTraining(await train(sharded, 2, STEPS), oneRank, "ZeRO-1 on 2 vs 1");
    }, 120_000);
  },
);

describe.skipIf(missing !== undefined)("--init-from an mgpuc checkpoint", () => {
  it("starts 1 and 2 processes from exactly the weights `mgpuc train` saved", async () => {
    const run = mkdtempSync(join(tmpdir(), "mgpuc-run-"));
    const trained = await mgpuc(["train", MNIST, "--steps", "3", "--save", run]);
    expect(trained.status, trained.stderr).toBe(0);
    const saved = finalLine(trained.stdout)?.weights_l2;
    expect(saved).toMatch(/^\d+\.\d+$/);
    const checkpoint = kerasToTorch(readCheckpointWeights(run), compileSource(readSource(MNIST)).graph!);
    const program = await emitWithCli();
    const args = ["--steps", "0", "--init-from", run];
    const [one, two] = await Promise.all([train(program, 1, args), train(program, 2, args)]);
    // float32 copied into float32: equal to the bit, in every tensor.
    expectSameWeights(one.weights, checkpoint, 0, "1 process vs the checkpoint");
    expectSameWeights(two.weights, checkpoint, 0, "2 processes vs the checkpoint");
    expect(sig6(one.final.weights_l2)).toBe(sig6(saved));
    expect(sig6(two.final.weights_l2)).toBe(sig6(saved));
  }, 120_000);
});

describe.skipIf(missing !== undefined)("a column → row dense pair (Megatron's MLP) over gloo", () => {
  it("2 processes end with the same weights as 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mgpuc-torch-"));
    const result = emitTorch({
      graph: pairedMlp,
      training: training(),
      plan: plan(pairedMlp, 2, { hidden: 2, logits: 2 }),
      modelFile: join(dir, "paired.model"),
    });
    for (const file of result.files) writeFileSync(join(dir, file.path), file.content);
    const program = join(dir, result.files[0]!.path);
    expect(readFileSync(program, "utf8")).toContain('"hidden": (2, "column"),\n    "logits": (2, "row"),');
    const [one, two] = await Promise.all([train(program, 1, STEPS), train(program, 2, STEPS)]);
    expectSameTraining(two, one, "column → row pair on 2 vs 1");
  }, 120_000);
});

/** A `.model` file and its CSV in a folder of their own, emitted with `--emit torch`; returns the program. */
async function emitCsvProject(model: string, csv: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-torch-csv-"));
  writeFileSync(join(dir, "data.csv"), csv);
  writeFileSync(join(dir, "m.model"), model);
  const out = join(dir, "m.py");
  const r = await mgpuc([join(dir, "m.model"), "--emit", "torch", "-o", out]);
  expect(r.status, r.stderr).toBe(0);
  return out;
}

/** `rows` rows of `columns` features in [-1, 1), deterministic, and `label(features)` when given. */
function csvText(columns: string[], rows: number, label?: (f: number[]) => number): string {
  const lines = [[...columns, ...(label ? ["y"] : [])].join(",")];
  for (let i = 0; i < rows; i++) {
    const f = columns.map((_, c) => ((i * (31 + 6 * c) + 7 * c) % 41) / 20.5 - 1);
    lines.push([...f.map((v) => v.toFixed(5)), ...(label ? [label(f)] : [])].join(","));
  }
  return `${lines.join("\n")}\n`;
}

describe.skipIf(missing !== undefined)("the emitted torch program on CSV data of one's own", () => {
  it("class ids under categorical_crossentropy: one-hot as the runtime does; 1 and 2 processes alike, learned", async () => {
    const program = await emitCsvProject(
      `model Classes {
  input x: [2]
  dense(3, activation: softmax)
}
train Classes {
  data: csv("data.csv", label: "y")
  loss: categorical_crossentropy
  metrics: [accuracy]
  optimizer: adam(lr: 0.1)
  batch: 32
  seed: 2
}
`,
      csvText(["x1", "x2"], 320, ([a, b]) => (a! > 0.3 ? 2 : b! > 0 ? 1 : 0)),
    );
    // One run after the other: this test hung twice in CI with both started together (a rank left waiting).
    const one = await train(program, 1, ["--steps", "60"]);
    const two = await train(program, 2, ["--steps", "60"]);
    expectSameTraining(two, one, "categorical on class ids, 2 vs 1");
    // Chance is 1/3; class ids read as one-hot rows of the wrong shape could not get near this.
    expect(Number(one.final.accuracy)).toBeGreaterThan(0.8);
  }, 120_000);

  it("target: input on a CSV without a label column trains an autoencoder", async () => {
    const program = await emitCsvProject(
      `model Squeeze {
  input x: [4]
  dense(3)
  dense(4)
}
train Squeeze {
  data: csv("data.csv", label: "y")
  target: input
  loss: mse
  optimizer: adam(lr: 0.05)
  batch: 16
  seed: 2
}
`,
      csvText(["a", "b", "c", "d"], 160),
    );
    const first = await train(program, 1, ["--steps", "1"]);
    const trained = await train(program, 1, ["--steps", "80"]);
    expect(first.final.accuracy).toBe("n/a");
    expect(Number(trained.final.loss)).toBeLessThan(Number(first.final.loss) / 2);
  }, 120_000);
});

describe.skipIf(missing !== undefined)(
  "a transformer, mgpuc and the emitted torch program side by side",
  () => {
    // A dropout-free character transformer on the start of Moby-Dick under plain SGD: from the same mgpuc
    // checkpoint, over the same windows in the same order (the program draws mgpuc's epoch order), mgpuc on 2
    // devices and the torch program on 2 gloo ranks must end with the same weights. This is what checks the two
    // attention implementations (tfjs and torch) against each other, through training, not only a forward pass.
    const MODEL = `block decoder(x, heads: int, width: int) {
  layernorm(epsilon: 1e-5) -> attention(heads, causal: true)
  h = add(_, x)
  layernorm(epsilon: 1e-5) -> dense(64, activation: gelu) -> dense(width)
  add(_, h)
}
model Words {
  input tokens: int32[16]
  x = embedding(VOCAB, 32)
  p = position_embedding(16)
  add(x, p)
  repeat 2 { decoder(_, heads: 4, width: 32) }
  layernorm(epsilon: 1e-5)
  dense(VOCAB, activation: softmax)
}
train Words {
  data: text("book.txt", block: 16)
  optimizer: sgd(lr: 0.5)
  loss: sparse_categorical_crossentropy
  metrics: [accuracy]
  batch: 16
  validation: 0.1
  seed: 3
}
`;

    for (const strategy of ["data", "model"] as const) {
      it(`${strategy}-parallel on 2 devices and 2 ranks: every weight within 1e-4 after 20 steps`, async () => {
        const dir = mkdtempSync(join(tmpdir(), "mgpuc-torch-text-"));
        const text = mobyDickText().slice(0, 12_000);
        writeFileSync(join(dir, "book.txt"), text);
        const vocabulary = new Set([...text]).size;
        const file = join(dir, "words.model");
        writeFileSync(file, MODEL.replaceAll("VOCAB", String(vocabulary)));
        const flags = ["--devices", "2", "--strategy", strategy];
        const init = join(dir, "init");
        const after = join(dir, "after");
        const program = join(dir, "words.py");
        const [started, emitted] = await Promise.all([
          mgpuc(["train", file, "--steps", "0", "--save", init, ...flags]),
          mgpuc([file, "--emit", "torch", "-o", program, ...flags]),
        ]);
        expect(started.status, started.stderr).toBe(0);
        expect(emitted.status, emitted.stderr).toBe(0);
        if (strategy === "model") {
          // Megatron's transformer layer: attention by heads, each MLP's two dense layers column then row,
          // the embedding by vocabulary rows, the output by classes with the loss on the shards.
          const source = readFileSync(program, "utf8");
          for (const mode of ["vocabulary", "heads", "column", "row", "column_loss"])
            expect(source).toMatch(new RegExp(`"\\w+": \\(2, "${mode}"\\),`));
        }
        const trained = await mgpuc([
          "train",
          file,
          "--resume",
          init,
          "--steps",
          "20",
          "--save",
          after,
          ...flags,
        ]);
        expect(trained.status, trained.stderr).toBe(0);
        const torch = await train(program, 2, ["--init-from", init, "--steps", "20"]);
        const graph = compileSource(readSource(file)).graph!;
        const mine = kerasToTorch(readCheckpointWeights(after), graph);
        const start = kerasToTorch(readCheckpointWeights(init), graph);
        expectSameWeights(torch.weights, mine, 1e-4, `torch vs mgpuc, ${strategy}`);
        // Training moved them: the comparison is not between two copies of the starting point.
        let moved = 0;
        for (const [name, t] of mine) {
          const before = start.get(name)!.values;
          for (let i = 0; i < t.values.length; i++)
            moved = Math.max(moved, Math.abs(t.values[i]! - before[i]!));
        }
        expect(moved).toBeGreaterThan(1e-2);
      }, 300_000);
    }
  },
);
