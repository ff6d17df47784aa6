#!/usr/bin/env node
// The installed command. Runs the bundled CLI, dist/mgpuc.mjs (built by `npm install`'s prepare step: one
// module to load instead of hundreds, see scripts/bundle-cli.mjs); in a checkout without a build, falls back to
// the TypeScript sources through tsx.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "mgpuc.mjs");
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "cli", "main.ts")).href);
}
