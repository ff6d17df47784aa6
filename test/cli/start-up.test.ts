import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/run-cli.js";

/**
 * What a command loads (issue 14). The compile path (`check`, `--emit plan|summary|dot|torch|keras`) never loads
 * TensorFlow.js, ts-morph or prettier: they are the runtime's and the TypeScript emitter's, imported lazily by the
 * commands that need them. And the installed command starts from one bundled module (scripts/bundle-cli.mjs).
 */

const HOOK = join(REPO, "test", "support", "import-log.mjs");
const HEAVY = /node_modules\/(@tensorflow\/|ts-morph\/|prettier\/|webgpu\/)/;
const dir = mkdtempSync(join(tmpdir(), "mgpuc-imports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every module URL `node [node args] <entry> <args>` resolved; fails the test when the command fails. */
async function modulesLoaded(nodeArgs: readonly string[], args: readonly string[]): Promise<string[]> {
  const log = join(dir, `imports-${Math.random().toString(36).slice(2)}.log`);
  const status = await new Promise<number | null>((resolve) => {
    execFile(
      process.execPath,
      ["--import", HOOK, ...nodeArgs, ...args],
      { cwd: REPO, encoding: "utf8", env: { ...process.env, IMPORT_LOG: log } },
      (error, _stdout, stderr) => {
        if (error) console.error(`${args.join(" ")}: ${stderr}`);
        resolve(error ? (typeof error.code === "number" ? error.code : null) : 0);
      },
    );
  });
  expect(status, args.join(" ")).toBe(0);
  return [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
}

const MNIST = join("examples", "mnist.model");
const COMPILE_PATH: readonly (readonly string[])[] = [
  ["check", MNIST],
  ["check", join("examples", "resnet50.model")],
  [MNIST, "--emit", "plan"],
  [MNIST, "--emit", "summary"],
  [MNIST, "--emit", "dot"],
  [MNIST, "--emit", "torch", "-o", join(dir, "mnist.py")],
  [MNIST, "--emit", "keras", "-o", join(dir, "mnist_keras.py")],
  ["explain", MNIST, "--devices", "2"],
];

describe("the compile path loads no TensorFlow.js, ts-morph or prettier", () => {
  it.each(COMPILE_PATH.map((args) => [args.join(" "), args] as const))(
    "mgpuc %s (sources)",
    async (_, args) => {
      const loaded = await modulesLoaded(["--import", "tsx"], [join(REPO, "cli", "main.ts"), ...args]);
      // The subject occurs: the sources themselves were loaded through the hook.
      expect(loaded.some((url) => url.endsWith("/compiler/pipeline.ts"))).toBe(true);
      expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
    },
  );

  it("and `--emit ts` does load them (the check can see a heavy module)", async () => {
    const loaded = await modulesLoaded(
      ["--import", "tsx"],
      [join(REPO, "cli", "main.ts"), MNIST, "--emit", "ts", "-o", join(dir, "mnist.ts")],
    );
    expect(loaded.filter((url) => HEAVY.test(url)).length).toBeGreaterThan(0);
  });
});

describe("the installed command starts from one bundled module", () => {
  const bundle = join(REPO, "dist", "mgpuc.mjs");

  it("exists after `npm ci` / `npm run build`", async () => {
    expect(existsSync(bundle), "run `npm run build` (npm ci runs it)").toBe(true);
  });

  it.each([["--version"], ["check", MNIST], [MNIST, "--emit", "plan"]])(
    "bin/mgpuc.js %s loads the bundle and a handful of small runtime modules, no package",
    async (...args) => {
      const loaded = await modulesLoaded([], [join(REPO, "bin", "mgpuc.js"), ...args]);
      expect(loaded).toContain(`file://${bundle}`);
      const files = loaded.filter((url) => url.startsWith("file:"));
      expect(files.filter((url) => url.includes("/node_modules/"))).toEqual([]);
      expect(files.length, files.join("\n")).toBeLessThanOrEqual(8);
    },
  );
});
