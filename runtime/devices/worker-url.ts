import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts the worker module `relative` (no extension) beside the module `base` (an `import.meta.url`). Under tsx
 * or vitest `base` is a `.ts` file and so is the entry; loader hooks registered in the parent do not reach a
 * worker, so the worker registers tsx itself first.
 */
export function startWorker(base: string, relative: string, options: WorkerOptions = {}): Worker {
  if (!base.endsWith(".ts")) return new Worker(new URL(`${relative}.js`, base), options);
  // The ESM build of tsx's API (require.resolve would give the CommonJS one).
  const tsxRoot = dirname(createRequire(fileURLToPath(base)).resolve("tsx/package.json"));
  const tsx = pathToFileURL(join(tsxRoot, "dist", "esm", "api", "index.mjs")).href;
  const entry = new URL(`${relative}.ts`, base).href;
  const code =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })` +
    `.catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(code, { ...options, eval: true });
}
