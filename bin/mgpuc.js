#!/usr/bin/env node
// The installed command. CommonJS (bin/package.json), so a start needs no ES module loader: it requires the
// bundled entry, dist/mgpuc-start.cjs (built by `npm install`'s prepare step: one file to load instead of
// hundreds, see scripts/bundle-cli.mjs). In a checkout without a build, it falls back to the TypeScript sources
// through tsx.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const { pathToFileURL } = require("node:url");

const root = join(__dirname, "..");
const built = join(root, "dist", "mgpuc-start.cjs");
if (existsSync(built)) {
  require(built);
} else {
  import("tsx/esm/api")
    .then(({ register }) => {
      register();
      return import(pathToFileURL(join(root, "cli", "main.ts")).href);
    })
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
