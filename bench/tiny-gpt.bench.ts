/**
 * The tiny GPT (issue 16) as users run it, whole processes on this machine, beside the program they would run
 * instead (the project's own `--emit torch`, gloo, one thread per rank as torchrun sets):
 * - tokens/s of `mgpuc train examples/tiny-gpt.model` on 1 device and on 2 under auto, data, model and pipeline,
 *   with the step the plan predicted and the one measured (the `final` event's), and of the torch program on 1
 *   and 2 ranks; each run trains STEPS steps (rates skip the first five, as the final line's do);
 * - the example's budget (its one epoch over Moby-Dick): `mgpuc train --devices 2` and the torch program on 2
 *   ranks from the same mgpuc checkpoint, reading the same windows in the same order, validation losses side by
 *   side (goal: within 5%), and `mgpuc sample` on mgpuc's result: the share of its words (runs of 3+ letters)
 *   that occur in the novel (goal: at least half). About 30 minutes; `-- --quick` skips it.
 * Predictions come from a profile of this machine measured first (`mgpuc calibrate`, as the "calibrated
 * here" asks); every run, the planner's choice included, is planned with it.
 * Run `npm run build` first (the installed command). Writes bench/results/tiny-gpt.json.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mobyDickText } from "../compiler/data-formats/text-format.js";
import { runRanks } from "../test/emit-python/run-ranks.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const bin = join(root, "bin", "mgpuc.js");
const model = join(root, "examples", "tiny-gpt.model");
const STEPS = 25;
const BLOCK = 64;
const quick = process.argv.includes("--quick");
const PROMPT = "Call me Ishmael";

/** The fields of an `mgpuc train --json` run's `final` event. */
type Final = Record<string, number | string | null>;

function mgpuc(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `mgpuc train --json` (saving nothing unless `args` says `--save`): its `final` event. */
async function trainFinal(args: readonly string[]): Promise<Final> {
  const save = args.includes("--save") ? [] : ["--no-save"];
  const r = await mgpuc(["train", model, "--json", ...save, ...args]);
  if (r.code !== 0) throw new Error(`mgpuc train ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  const events = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Final & { event: string });
  const final = events.find((e) => e.event === "final");
  if (final === undefined) throw new Error(`no final event:\n${r.stdout}`);
  return final;
}

/** The torch program's run on `ranks` ranks: samples/s (final line) and the last epoch's validation loss. */
async function torchRun(program: string, ranks: number, args: readonly string[]) {
  const results = await runRanks(program, ranks, args);
  const bad = results.find((r) => r.code !== 0);
  if (bad) throw new Error(`torch on ${ranks} ranks failed: ${bad.output}`);
  const out = results[0]!.output;
  const rate = /samples_per_s=(\S+)/.exec(out)?.[1];
  const val = [...out.matchAll(/val_loss: ([\d.]+)/g)].at(-1)?.[1];
  return { samplesPerS: Number(rate), valLoss: val === undefined ? null : Number(val) };
}

const dir = mkdtempSync(join(tmpdir(), "mgpuc-bench-gpt-"));
const profile = join(dir, "here.json");
const calibrated = await mgpuc(["calibrate", "-o", profile]);
if (calibrated.code !== 0) throw new Error(`mgpuc calibrate failed: ${calibrated.stderr}`);
const program = join(dir, "tiny_gpt.py");
const emitted = await mgpuc([model, "--emit", "torch", "--devices", "2", "-o", program]);
if (emitted.code !== 0) throw new Error(`--emit torch failed: ${emitted.stderr}`);

interface Row {
  readonly run: string;
  readonly tokensPerS: number;
  readonly predictedMs?: number;
  readonly measuredMs?: number;
}
const rows: Row[] = [];
const runs = [
  { devices: 1, strategy: "auto" },
  { devices: 2, strategy: "auto" },
  { devices: 2, strategy: "data" },
  { devices: 2, strategy: "model" },
  { devices: 2, strategy: "pipeline" },
] as const;
for (const { devices, strategy } of runs) {
  const f = await trainFinal([
    "--devices",
    String(devices),
    "--strategy",
    strategy,
    "--steps",
    String(STEPS),
    "--profile",
    profile,
  ]);
  rows.push({
    run: `mgpuc ${devices} device${devices > 1 ? "s" : ""}, ${strategy}`,
    tokensPerS: Number(f["samples_per_s"]) * BLOCK,
    predictedMs: Number(f["predicted_step_ms"]),
    measuredMs: Number(f["measured_step_ms"]),
  });
}
for (const ranks of [1, 2]) {
  const t = await torchRun(program, ranks, ["--steps", String(STEPS)]);
  rows.push({ run: `torch ${ranks} rank${ranks > 1 ? "s" : ""}`, tokensPerS: t.samplesPerS * BLOCK });
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n) ? "—" : n.toLocaleString("en-US", { maximumFractionDigits: digits });
const torch2 = rows.find((r) => r.run === "torch 2 ranks")!.tokensPerS;
console.log(
  `tiny-gpt, ${STEPS} steps of 32 windows of ${BLOCK} characters, whole processes; predictions from ` +
    "`mgpuc calibrate` run first",
);
console.log("run                          tokens/s   vs torch 2 ranks   step predicted / measured");
for (const r of rows) {
  const step =
    r.predictedMs === undefined
      ? ""
      : `${fmt(r.predictedMs)} / ${fmt(r.measuredMs)} ms (${fmt(r.measuredMs! / r.predictedMs, 2)}×)`;
  console.log(
    `${r.run.padEnd(28)} ${fmt(r.tokensPerS).padStart(8)}   ${fmt(r.tokensPerS / torch2, 2).padStart(8)}×          ${step}`,
  );
}

/** The share of `text`'s words (runs of 3+ letters) that occur as words in the novel. */
function wordsInNovel(text: string): { words: number; share: number } {
  const wordsOf = (t: string) => t.toLowerCase().match(/[a-z]{3,}/g) ?? [];
  const novel = new Set(wordsOf(mobyDickText()));
  const words = wordsOf(text);
  return { words: words.length, share: words.filter((w) => novel.has(w)).length / Math.max(1, words.length) };
}

let budget: {
  mgpucValLoss: number;
  torchValLoss: number | null;
  ratio: number | null;
  sample: { text: string; words: number; shareInNovel: number };
} | null = null;
if (!quick) {
  // The example's epochs from the same starting weights: mgpuc's checkpoint after 0 steps.
  const init = join(dir, "init");
  const saved = await mgpuc(["train", model, "--devices", "2", "--steps", "0", "--save", init]);
  if (saved.code !== 0) throw new Error(`saving the initial checkpoint failed: ${saved.stderr}`);
  const [mine, theirs] = [
    await trainFinal(["--devices", "2", "--resume", init, "--save", join(dir, "run")]),
    await torchRun(program, 2, ["--init-from", init]),
  ];
  const mgpucValLoss = Number(mine["val_loss"]);
  const sampled = await mgpuc([
    "sample",
    join(dir, "run"),
    "--prompt",
    PROMPT,
    "--tokens",
    "300",
    "--seed",
    "1",
  ]);
  if (sampled.code !== 0) throw new Error(`mgpuc sample failed: ${sampled.stderr}`);
  // Only what the model wrote counts, not the prompt it continues.
  const written = sampled.stdout.startsWith(PROMPT) ? sampled.stdout.slice(PROMPT.length) : sampled.stdout;
  const { words, share } = wordsInNovel(written);
  budget = {
    mgpucValLoss,
    torchValLoss: theirs.valLoss,
    ratio: theirs.valLoss === null ? null : mgpucValLoss / theirs.valLoss,
    sample: { text: sampled.stdout, words, shareInNovel: share },
  };
  console.log(
    `\nbudget (the example's epochs, 2 devices / 2 ranks, same start): val_loss mgpuc ${fmt(mgpucValLoss, 4)}, ` +
      `torch ${fmt(theirs.valLoss ?? undefined, 4)} (${fmt(budget.ratio ?? undefined, 3)}×; goal within 5%)`,
  );
  console.log(
    `sample (mgpuc sample RUN --prompt "${PROMPT}" --tokens 300 --seed 1): ${fmt(share * 100)}% of the ` +
      `${words} words it wrote occur in the novel (goal: at least half)\n${sampled.stdout.trim()}`,
  );
}

mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", "tiny-gpt.json"),
  JSON.stringify({ date: new Date().toISOString(), steps: STEPS, rows, budget }, null, 2) + "\n",
);
