import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/run-cli.js";

/**
 * A clean `mgpuc check` prints its verdict straight to file descriptor 1 (cli/stdout.ts), without building
 * node's `process.stdout` (start-up time, issue 14): the line must still arrive whole, wherever stdout goes,
 * and a reader that went away must still be no error.
 */

const dir = mkdtempSync(join(tmpdir(), "mgpuc-stdout-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Logs to $STDOUT_LOG when anything reads `process.stdout` (which builds the stream). */
const SPY = join(dir, "stdout-spy.cjs");
writeFileSync(
  SPY,
  `const fs = require("node:fs");
const builtIn = Object.getOwnPropertyDescriptor(process, "stdout");
Object.defineProperty(process, "stdout", {
  ...builtIn,
  get() {
    fs.appendFileSync(process.env.STDOUT_LOG, "built\\n");
    return builtIn.get.call(process);
  },
});
`,
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the installed command (bin/mgpuc.js, the build: `npm run build`, as test/cli/start-up.test.ts needs) with
 * `stdio[1]` as given, a pipe unless a file descriptor. Not the sources through tsx: tsx itself reads
 * `process.stdout`.
 */
function run(
  args: readonly string[],
  options: { stdout?: number; closeStdout?: boolean } = {},
): Promise<Run> {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, "");
  const child = spawn(process.execPath, ["--require", SPY, join(REPO, "bin", "mgpuc.js"), ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: "1", STDOUT_LOG: log },
    stdio: ["ignore", options.stdout ?? "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.closeStdout) child.stdout?.destroy();
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr: stderr + readFileSync(log, "utf8") })),
  );
}

const MNIST = join("examples", "mnist.model");
const VERDICT = `${MNIST}: ok (Mnist; 5 layers)\n`;

describe("mgpuc check's verdict", () => {
  it("reaches a pipe whole, without node's stdout stream being built", async () => {
    const r = await run(["check", MNIST]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(VERDICT);
    expect(r.stderr).not.toContain("built");
  });

  it("reaches a file whole", async () => {
    const file = join(dir, "out.txt");
    const fd = openSync(file, "w");
    try {
      const r = await run(["check", MNIST], { stdout: fd });
      expect(r.code).toBe(0);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, "utf8")).toBe(VERDICT);
  });

  it("is dropped quietly, exit 0, when the reader went away", async () => {
    const r = await run(["check", MNIST], { closeStdout: true });
    expect(r.stderr).not.toMatch(/EPIPE|Error|at .*:\d+/);
    expect(r.code).toBe(0);
  });

  it("and --version's, likewise", async () => {
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version}\n`,
    );
    expect(r.stderr).not.toContain("built");
  });

  it("leaves diagnostics to node's stdout stream, as before", async () => {
    const broken = join(dir, "broken.model");
    writeFileSync(broken, "model M {\n  input x: [4]\n  dense(\n}\n");
    const r = await run(["check", broken]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MG1001/);
    expect(r.stderr).toContain("built");
  });
});
