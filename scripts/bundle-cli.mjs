// Bundles the CLI's compile path into one module, dist/mgpuc.mjs, so `mgpuc --version` and `mgpuc check` load
// one file instead of ~830 (chevrotain and lodash-es alone are hundreds): start-up is module loading (issue 14).
//
// What stays out of the bundle is loaded from dist/ when a command needs it, exactly as tsc built it:
// - runtime/ (TensorFlow.js, workers started by file path beside their module) and the TypeScript emitter
//   (ts-morph, prettier): imported lazily by the commands that use them;
// - npm packages other than the compile path's own (chevrotain, commander, ...): left to node's resolution.
import { build } from "esbuild";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "dist", "mgpuc.mjs");

/** Source folders whose modules are imported from tsc's dist/ output, never copied into the bundle. */
const LAZY = [
  join(root, "runtime") + sep,
  join(root, "compiler", "emit", "typescript"),
  join(root, "cli", "lsp") + sep,
];

/** Packages bundled in: what every compile-path command loads. Everything else is external. */
const BUNDLED = ["chevrotain", "@chevrotain/", "lodash-es", "commander", "regexp-to-ast"];

const lazyModules = {
  name: "lazy-modules",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const source = resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts");
      if (!LAZY.some((prefix) => source.startsWith(prefix))) return undefined;
      const target = relative(dirname(outfile), join(root, "dist", relative(root, source))).replace(
        /\.ts$/,
        ".js",
      );
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

await build({
  entryPoints: [join(root, "cli", "main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  plugins: [lazyModules],
  logLevel: "warning",
  // Whitespace and syntax only: a third less to parse at each start, while stack traces keep their names.
  minifyWhitespace: true,
  minifySyntax: true,
  // Bundled CommonJS dependencies may call require(): give the module one.
  banner: {
    js: 'import { createRequire as __mgpucRequire } from "node:module"; const require = __mgpucRequire(import.meta.url);',
  },
});
