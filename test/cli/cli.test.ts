import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { REPO, runCli } from "../support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mgpuc-cli-"));
function modelFile(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe("mgpuc command line (CLI.md)", () => {
  it("checks the examples cleanly", async () => {
    for (const example of ["mnist", "cnn", "residual"]) {
      const r = await runCli(["check", `examples/${example}.model`]);
      expect(r.stdout + r.stderr, example).not.toMatch(/error/);
      expect(r.code, example).toBe(0);
    }
  });

  it("reports a misspelt layer with file:line:col, a code, a caret and a hint, and exits 1", async () => {
    const file = modelFile("broken.model", "model Broken {\n  input x: [4]\n  dens(2)\n}\n");
    const r = await runCli(["check", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/broken\.model:3:3 error MG\d{4}: unknown layer 'dens'/);
    expect(r.stdout).toContain("  3 |   dens(2)");
    expect(r.stdout).toContain("|   ~~~~");
    expect(r.stdout).toContain("did you mean 'dense'?");
    expect(r.stdout).not.toMatch(/at .*\.ts:\d+/);
  });

  it("gives diagnostics as JSON lines with --json", async () => {
    const file = modelFile("broken2.model", "model Broken {\n  input x: [4]\n  dens(2)\n}\n");
    const r = await runCli(["check", file, "--json"]);
    expect(r.code).toBe(1);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ severity: "error", line: 3, column: 3 });
    expect(String(events[0]!.code)).toMatch(/^MG\d{4}$/);
  });

  it("treats a missing file, an unknown flag and a bad flag value as usage errors (exit 2)", async () => {
    expect((await runCli(["check", join(tmp, "no-such.model")])).code).toBe(2);
    expect((await runCli(["examples/mnist.model", "--no-such-flag"])).code).toBe(2);
    expect((await runCli(["examples/mnist.model", "--devices", "zero"])).code).toBe(2);
    expect((await runCli(["examples/mnist.model", "--emit", "wasm"])).code).toBe(2);
    const missing = await runCli(["check", join(tmp, "no-such.model")]);
    expect(missing.stderr).toMatch(/cannot read .*no-such\.model: no such file/);
  });

  it("checks every model of a file, or the one --model names", async () => {
    const file = modelFile(
      "two.model",
      "model A {\n  input x: [4]\n  dense(2)\n}\nmodel B {\n  input y: [3, 3]\n  conv2d(2, kernel: 3)\n}\n",
    );
    const all = await runCli(["check", file]);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/two\.model:7:3 error MG2001/);
    const justA = await runCli(["check", file, "--model", "A"]);
    expect(justA.code).toBe(0);
    expect((await runCli(["check", file, "--model", "C"])).stdout).toMatch(/no model named 'C'/);
  });

  it("never prints a stack trace, whatever the input", async () => {
    const file = modelFile("garbage.model", 'model { [[[[ -> -> @@ "unterminated\n block x(( }}}');
    const r = await runCli(["check", file]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    expect(r.stdout + r.stderr).not.toContain("internal error");
  });

  it("emits a summary ending with Keras's three parameter lines", async () => {
    const r = await runCli(["examples/cnn.model", "--emit", "summary"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ *Total params: 693,962/m);
    expect(r.stdout).toMatch(/^ *Trainable params: 693,962/m);
    expect(r.stdout).toMatch(/^ *Non-trainable params: 0/m);
  });

  it("summarises a model that fits no plan here, its placement left empty and the reason a warning", async () => {
    const flags = ["--devices", "2", "--profile", "cpu"];
    const summary = await runCli(["examples/gpt2.model", "--emit", "summary", ...flags]);
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toMatch(/^ *Total params: 124,439,808/m);
    expect(summary.stdout).toMatch(
      /│ decoder_11\/attention \(MultiHeadAttention\) +│ \(None, 1024, 768\) +│ +2,362,368 │ -/,
    );
    expect(summary.stderr).toMatch(/warning MG3001: model 'Gpt2' does not fit/);
    // The plan itself cannot be written: that stays an error.
    const plan = await runCli(["examples/gpt2.model", "--emit", "plan", ...flags]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/error MG3001/);
  });

  it("emits a plan as JSON, and the IR after a named pass", async () => {
    const plan = await runCli(["examples/mnist.model", "--emit", "plan", "--devices", "2"]);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({
      format: "mgpuc-plan",
      model: "Mnist",
      devices: { count: 2 },
    });
    const dump = await runCli(["examples/mnist.model", "--dump-after", "infer-shapes"]);
    expect(dump.code).toBe(0);
    expect(dump.stdout).toMatch(/dense.*: \[128\]/);
    expect((await runCli(["examples/mnist.model", "--dump-after", "no-such-pass"])).code).toBe(2);
  });

  it("writes -o into folders it makes, and says in one line (exit 2) why a path cannot be written", async () => {
    const nested = join(tmp, "out", "deeper", "plan.json");
    expect((await runCli(["examples/mnist.model", "--emit", "plan", "-o", nested])).code).toBe(0);
    expect(JSON.parse(readFileSync(nested, "utf8"))).toMatchObject({ format: "mgpuc-plan" });
    const cases: [string, string][] = [
      [tmp, "it is a folder"],
      [join(nested, "x.json"), "a part of its path is a file, not a folder"],
      // procfs refuses new folders with ENOENT, on which node's own recursive mkdir retried forever.
      ["/proc/no-such-folder/plan.json", "its folder cannot be made here"],
    ];
    for (const [out, why] of cases) {
      const r = await runCli(["examples/mnist.model", "--emit", "plan", "-o", out], { timeoutMs: 30_000 });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`error: -o ${out}: cannot write it: ${why}`);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it("stops quietly, exit 0, when the reader of its output goes away (`mgpuc explain … | head -1`)", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO, "cli", "main.ts"),
        "explain",
        "examples/gpt2-xl.model",
        "--devices",
        "8",
        "--profile",
        "v100",
      ],
      { cwd: REPO, env: { ...process.env, NO_COLOR: "1" } },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `head -1` that has read its line: the pipe is closed before the table is written.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Error|at .*:\d+/);
    expect(code).toBe(0);
  });

  it("reads `--profile FILE` relative to the current folder, as every path on the command line", async () => {
    // Inside the checkout (git-ignored), so that the CLI run from there still finds its dependencies.
    mkdirSync(join(REPO, ".vitest-tmp"), { recursive: true });
    const dir = mkdtempSync(join(REPO, ".vitest-tmp", "profile-"));
    const cpu = JSON.parse(readFileSync(join(REPO, "profiles", "cpu.json"), "utf8")) as Record<
      string,
      unknown
    >;
    writeFileSync(join(dir, "here.json"), JSON.stringify({ ...cpu, name: "here" }));
    const model = join(REPO, "examples", "mnist.model");
    const r = await runCli(["explain", model, "--devices", "2", "--profile", "here.json"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Mnist on \d+ × here,/);
    // A built-in name is still a name, wherever the command runs.
    expect((await runCli(["explain", model, "--profile", "h100"], { cwd: dir })).stdout).toMatch(/× h100,/);
  });
});
