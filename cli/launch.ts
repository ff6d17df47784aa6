import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { Script } from "node:vm";

/**
 * Runs the bundled CLI (dist/mgpuc.cjs, scripts/bundle-cli.mjs) with a V8 code cache beside it, the way the
 * `v8-compile-cache` package does for CommonJS: node 20 caches no ES module's compiled code, so the bundle is
 * CommonJS, compiled through `vm.Script` with the `cachedData` that `npm run build` wrote after running the
 * compile path once. V8 then neither parses the bundle nor compiles the functions that run at each start.
 *
 * The cache is an optimisation only. V8 rejects one made by another node version (or with other V8 flags);
 * the bundle then compiles as usual and, once the command is done, the cache is written anew if the folder
 * is writable.
 */

/** What the bundle's source is wrapped in: its module scope, and what esbuild's CommonJS output refers to. */
const WRAPPER_HEAD =
  "(function (exports, require, module, __filename, __dirname, __mgpucBundleUrl, __mgpucImport) {";
const WRAPPER_TAIL = "\n})";

/** The parameters in WRAPPER_HEAD's order. */
type BundleScope = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  filename: string,
  dirname: string,
  bundleUrl: string,
  importModule: (specifier: string) => Promise<unknown>,
) => void;

export interface LoadedCli {
  /** The CLI (cli/program.ts): runs one command line, resolves to the exit code. */
  readonly main: (argv: readonly string[]) => Promise<number>;
  /** Whether this start compiled the bundle without a usable cache (so `saveCodeCache` is worth calling). */
  readonly compiledWithoutCache: boolean;
  /** Writes the code cache for everything compiled so far; false when it could not be written. */
  readonly saveCodeCache: () => boolean;
}

export function loadCli(bundleFile: string, cacheFile: string): LoadedCli {
  const source = `${WRAPPER_HEAD}${readFileSync(bundleFile, "utf8")}${WRAPPER_TAIL}`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, {
    filename: bundleFile,
    ...(cachedData ? { cachedData } : {}),
  });
  const bundleUrl = pathToFileURL(bundleFile).href;
  const module = { exports: {} as { main?: LoadedCli["main"] } };
  (script.runInThisContext() as BundleScope)(
    module.exports,
    createRequire(bundleFile),
    module,
    bundleFile,
    dirname(bundleFile),
    bundleUrl,
    // The modules left out of the bundle (runtime/, the TypeScript emitter, the language server): tsc's own
    // files beside it. A `vm.Script` has no `import()` of its own on node 20 without a flag, so the bundle's
    // dynamic imports are rewritten to call this one.
    (specifier) => import(new URL(specifier, bundleUrl).href),
  );
  const main = module.exports.main;
  if (typeof main !== "function") throw new Error(`${bundleFile} exports no main()`);
  return {
    main,
    compiledWithoutCache: cachedData === undefined || script.cachedDataRejected === true,
    saveCodeCache: () => {
      // Written whole and renamed into place, so a concurrent start never reads half a cache.
      const partial = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cacheFile);
        return true;
      } catch {
        try {
          unlinkSync(partial);
        } catch {
          // nothing was written
        }
        return false;
      }
    },
  };
}
