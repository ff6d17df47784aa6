// Bundles the CLI for the installed command (issue 14: start-up is module loading and compiling):
// - dist/mgpuc.cjs: the compile path (cli/program.ts with the compiler, chevrotain, commander) as one CommonJS
//   file, so that cli/launch.ts can compile it through `vm.Script` with a V8 code cache: node 20 caches no ES
//   module's code, and loading ~830 modules one by one was most of a start;
// - dist/mgpuc.cjs.cache: that code cache, made here by running the compile path once (the functions a start
//   runs are then neither parsed nor compiled);
// - dist/mgpuc-start.cjs: cli/start.ts, the entry bin/mgpuc.js requires: it answers `--version` without the
//   compiler and runs the bundle for everything else. CommonJS, so that no start pays for node's ES module loader.
//
// What stays out of the bundle is loaded from dist/ when a command needs it, exactly as tsc built it:
// - runtime/ (TensorFlow.js, workers started by file path beside their module) and the TypeScript emitter
//   (ts-morph, prettier): imported lazily (`await import(...)`) by the commands that use them;
// - npm packages other than the compile path's own (chevrotain, commander, ...): left to node's resolution.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { execPath } from "node:process";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const bundleFile = join(dist, "mgpuc.cjs");
const cacheFile = `${bundleFile}.cache`;
const entryFile = join(dist, "mgpuc-start.cjs");

/** Source folders whose modules are imported lazily from tsc's dist/ output, never copied into the bundle. */
const LAZY = [
  join(root, "runtime") + sep,
  join(root, "compiler", "emit", "typescript"),
  join(root, "cli", "lsp") + sep,
];

/** Packages bundled in: what every compile-path command loads. Everything else is external. */
const BUNDLED = ["chevrotain", "@chevrotain/", "lodash-es", "commander", "regexp-to-ast"];

/**
 * node's own modules that a bundled package requires at load but uses only in commands that the compile path
 * never runs: commander's `node:child_process` (for executable subcommands, which mgpuc has none of) is 10 ms of
 * a start, spent compiling node's internals. The bundle gets a stand-in that requires the module on first use.
 */
const DEFERRED_BUILTINS = ["child_process"];
/** Only for these packages: they use the module through property reads (`childProcess.spawn`), which the stand-in serves. */
const DEFERRING_PACKAGES = ["/node_modules/commander/"];

const deferredBuiltins = {
  name: "deferred-builtins",
  setup(b) {
    const filter = new RegExp(`^(node:)?(${DEFERRED_BUILTINS.join("|")})$`);
    b.onResolve({ filter }, (args) =>
      DEFERRING_PACKAGES.some((p) => args.importer.includes(p))
        ? { path: args.path.replace(/^node:/, ""), namespace: "deferred" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "deferred" }, (args) => ({
      contents:
        `let loaded;\n` +
        `module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require("node:${args.path}"))[key] });\n`,
      loader: "js",
    }));
  },
};

const lazyModules = {
  name: "lazy-modules",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const source = resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts");
      if (!LAZY.some((prefix) => source.startsWith(prefix))) return undefined;
      // A small helper that the compile path imports statically (a pure function of runtime/) is bundled:
      // CommonJS cannot `require` tsc's ES modules. Were it to bring in TensorFlow.js, the start-up test fails.
      if (args.kind !== "dynamic-import") return undefined;
      const target = relative(root, source).replace(/\.ts$/, ".js");
      return { path: `./${target.split(sep).join("/")}`, external: true };
    });
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:")) return { path: args.path, external: true };
      if (BUNDLED.some((p) => args.path === p || args.path.startsWith(p.endsWith("/") ? p : `${p}/`)))
        return undefined;
      return { path: args.path, external: true };
    });
  },
};

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  logLevel: "warning",
  // Whitespace and syntax only: less to read at each start, while stack traces keep their names.
  minifyWhitespace: true,
  minifySyntax: true,
};

const bundled = await build({
  ...common,
  entryPoints: [join(root, "cli", "program.ts")],
  outfile: bundleFile,
  write: false,
  format: "cjs",
  plugins: [deferredBuiltins, lazyModules],
  // cli/launch.ts passes the bundle's own URL: paths found from `import.meta.url` (the shipped profiles, a
  // package's `createRequire`) resolve from dist/ as they did for the ES module bundle.
  define: { "import.meta.url": "__mgpucBundleUrl" },
});
const lazyImport = /\bimport\("\.\//g;
const text = bundled.outputFiles[0].text.replace(lazyImport, '__mgpucImport("./');
if (/\bimport\(/.test(text))
  throw new Error("dist/mgpuc.cjs: an import() was left that cli/launch.ts cannot serve");
// Renamed into place whole: a command starting meanwhile reads the old bundle or the new one.
writeFileSync(`${bundleFile}.tmp`, text);
renameSync(`${bundleFile}.tmp`, bundleFile);

await build({
  ...common,
  entryPoints: [join(root, "cli", "start.ts")],
  outfile: entryFile,
  format: "cjs",
  // Only node's own modules; the bundle is read by cli/launch.ts, not imported.
  packages: "external",
  define: { "import.meta.url": "__mgpucStartUrl" },
  banner: { js: 'const __mgpucStartUrl = require("node:url").pathToFileURL(__filename).href;' },
});

// The code cache: run the compile path once in a plain `node` (V8 accepts a cache only from the same version
// and flags), then save what it compiled. The commands' output goes nowhere.
rmSync(cacheFile, { force: true });
// The entry that earlier builds made (an ES module), left over in an updated checkout.
rmSync(join(dist, "mgpuc.mjs"), { force: true });
const scratch = mkdtempSync(join(tmpdir(), "mgpuc-cache-"));
const model = join(root, "examples", "mnist.model");
const warmUp = [
  ["check", model],
  [model, "--emit", "plan", "-o", join(scratch, "plan.json")],
];
const script = `
import { loadCli } from ${JSON.stringify(pathToFileURL(join(dist, "cli", "launch.js")).href)};
const cli = loadCli(${JSON.stringify(bundleFile)}, ${JSON.stringify(cacheFile)});
process.stdout.write = () => true;
for (const argv of ${JSON.stringify(warmUp)}) {
  const code = await cli.main(argv);
  if (code !== 0) throw new Error("mgpuc " + argv.join(" ") + ": exit " + code);
}
if (!cli.saveCodeCache()) throw new Error("could not write ${cacheFile}");
`;
const warmed = spawnSync(execPath, ["--input-type=module", "-e", script], {
  cwd: root,
  encoding: "utf8",
});
rmSync(scratch, { recursive: true, force: true });
if (warmed.status !== 0) throw new Error(`making the code cache failed:\n${warmed.stderr}`);
