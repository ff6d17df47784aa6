import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** A device's entry module: `relative` (no extension) beside the module `base` (its `import.meta.url`). */
export interface EntryModule {
  readonly base: string;
  readonly relative: string;
}

/** Under tsx or vitest `base` is a `.ts` file and so is the entry; built, both are `.js`. */
function underTsx(entry: EntryModule): boolean {
  return entry.base.endsWith(".ts");
}

function tsxRoot(entry: EntryModule): string {
  return dirname(createRequire(fileURLToPath(entry.base)).resolve("tsx/package.json"));
}

function entryUrl(entry: EntryModule): URL {
  return new URL(`${entry.relative}.${underTsx(entry) ? "ts" : "js"}`, entry.base);
}

/**
 * Starts `relative` as a worker thread. Loader hooks registered in the parent do not reach a worker, so under
 * tsx the worker registers tsx itself first.
 */
export function startWorker(base: string, relative: string, options: WorkerOptions = {}): Worker {
  const entry = { base, relative };
  if (!underTsx(entry)) return new Worker(entryUrl(entry), options);
  // The ESM build of tsx's API (require.resolve would give the CommonJS one).
  const tsx = pathToFileURL(join(tsxRoot(entry), "dist", "esm", "api", "index.mjs")).href;
  const url = entryUrl(entry).href;
  const code =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })` +
    `.catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(code, { ...options, eval: true });
}

/** The arguments after `node` that start `entry` as a process (under tsx with its loader, `--import`). */
export function processArgs(entry: EntryModule): string[] {
  const file = fileURLToPath(entryUrl(entry));
  if (!underTsx(entry)) return [file];
  return ["--import", pathToFileURL(join(tsxRoot(entry), "dist", "loader.mjs")).href, file];
}
