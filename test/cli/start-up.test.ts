import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/run-cli.js";

/**
 * What a command loads (issue 14). The compile path (`check`, `--emit plan|summary|dot|torch|keras`) never loads
 * TensorFlow.js, ts-morph or prettier: they are the runtime's and the TypeScript emitter's, imported lazily by the
 * commands that need them. And the installed command starts from one small CommonJS entry that answers `--version`
 * itself and compiles the CLI bundle through its V8 code cache for everything else (scripts/bundle-cli.mjs).
 */

const HOOK = join(REPO, "test", "support", "import-log.mjs");
const HEAVY = /node_modules\/(@tensorflow\/|ts-morph\/|prettier\/|webgpu\/)/;
const dir = mkdtempSync(join(tmpdir(), "mgpuc-imports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `node [node args] <args>` in the repository; fails the test when the command fails. Its stdout. */
async function run(nodeArgs: readonly string[], args: readonly string[], env: object = {}): Promise<string> {
  const { status, stdout } = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, ...args],
      { cwd: REPO, encoding: "utf8", env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error) console.error(`${args.join(" ")}: ${stderr}`);
        resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout });
      },
    );
  });
  expect(status, args.join(" ")).toBe(0);
  return stdout;
}

/** Every module `node [node args] <entry> <args>` resolved, `esm <url>` or `cjs <url>`; fails when the command fails. */
async function modulesLogged(nodeArgs: readonly string[], args: readonly string[]): Promise<string[]> {
  const log = join(dir, `imports-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, "");
  await run(["--import", HOOK, ...nodeArgs], args, { IMPORT_LOG: log });
  return [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
}

/** Every module URL `node [node args] <entry> <args>` resolved, by either module system. */
async function modulesLoaded(nodeArgs: readonly string[], args: readonly string[]): Promise<string[]> {
  return [...new Set((await modulesLogged(nodeArgs, args)).map((line) => line.replace(/^(esm|cjs) /, "")))];
}

/**
 * The `.cjs` files a command reads: the entry that bin/mgpuc.js requires, and the CLI bundle, which is compiled
 * from its text (cli/launch.ts) rather than loaded as a module, so this preload logs node:fs reads instead.
 */
const READ_HOOK = join(dir, "read-log.mjs");
writeFileSync(
  READ_HOOK,
  `import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const read = fs.readFileSync;
fs.readFileSync = function (path, ...rest) {
  if (String(path).endsWith(".cjs")) fs.appendFileSync(process.env.READ_LOG, String(path) + "\\n");
  return read.call(this, path, ...rest);
};
syncBuiltinESMExports();
`,
);
async function bundlesRead(args: readonly string[]): Promise<{ read: string[]; stdout: string }> {
  const log = join(dir, `reads-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, "");
  const stdout = await run(["--import", READ_HOOK], args, { READ_LOG: log });
  return { read: readFileSync(log, "utf8").split("\n").filter(Boolean), stdout };
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
  const bundle = join(REPO, "dist", "mgpuc-start.cjs");
  const cliBundle = join(REPO, "dist", "mgpuc.cjs");
  const codeCache = `${cliBundle}.cache`;

  it("exists after `npm ci` / `npm run build`, with the CLI bundle and its code cache", async () => {
    expect(existsSync(bundle), "run `npm run build` (npm ci runs it)").toBe(true);
    expect(existsSync(cliBundle)).toBe(true);
    expect(existsSync(codeCache)).toBe(true);
  });

  it("the CLI bundle requires only node's own modules at load; its lazy imports are files in dist/", () => {
    const text = readFileSync(cliBundle, "utf8");
    const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    const builtin = new Set(builtinModules);
    expect(required.filter((name) => !name.startsWith("node:") && !builtin.has(name))).toEqual([]);
    const lazy = [...text.matchAll(/__mgpucImport\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(lazy.length).toBeGreaterThan(0);
    for (const path of lazy) expect(existsSync(join(dirname(cliBundle), path)), path).toBe(true);
  });

  it.each([["--version"], ["-V"]])(
    "bin/mgpuc.js %s prints what commander prints, without reading the CLI bundle",
    async (flag) => {
      const { read, stdout } = await bundlesRead([join(REPO, "bin", "mgpuc.js"), flag]);
      expect(read).toEqual([bundle]);
      expect(stdout).toBe(await run(["--import", "tsx"], [join(REPO, "cli", "main.ts"), flag]));
    },
  );

  it("bin/mgpuc.js check compiles the CLI bundle, and a plain node accepts its code cache", async () => {
    const check = [join(REPO, "bin", "mgpuc.js"), "check", MNIST];
    const { read, stdout } = await bundlesRead(check);
    expect(read).toEqual([bundle, cliBundle]);
    expect(stdout).toContain("ok");
    // A rejected cache is written anew after the command (cli/launch.ts); an accepted one is left alone.
    const before = statSync(codeCache).mtimeMs;
    await run([], check);
    expect(statSync(codeCache).mtimeMs).toBe(before);
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

  it.each([["--version"], ["check", MNIST]])(
    "bin/mgpuc.js %s starts no ES module loader: every module it loads is CommonJS",
    async (...args) => {
      const logged = await modulesLogged([], [join(REPO, "bin", "mgpuc.js"), ...args]);
      // bin/ is CommonJS by its own package.json, dist/'s entry by its extension.
      expect(logged).toContain(`cjs file://${join(REPO, "bin", "mgpuc.js")}`);
      expect(logged).toContain(`cjs file://${bundle}`);
      // The hook's `--import` itself makes node resolve the main script through the ES module loader; nothing
      // after it is: the entry and the bundle are required, the bundle's lazy imports not reached.
      const main = `file://${join(REPO, "bin", "mgpuc.js")}`;
      expect(logged.filter((line) => line.startsWith("esm ") && line !== `esm ${main}`)).toEqual([]);
    },
  );
});
