/**
 * The installed command's entry: esbuild makes this file dist/mgpuc.mjs (scripts/bundle-cli.mjs), a few
 * hundred bytes that bin/mgpuc.js imports. `--version` is answered here, without loading the compiler; every
 * other command line runs the CLI bundle, dist/mgpuc.cjs, through its code cache (launch.ts).
 */
import { fileURLToPath } from "node:url";
import { loadCli } from "./launch.js";
import { VERSION } from "./version.js";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // What commander prints for `.version(VERSION)`.
  process.stdout.write(`${VERSION}\n`);
} else {
  const bundle = fileURLToPath(new URL("./mgpuc.cjs", import.meta.url));
  const cli = loadCli(bundle, `${bundle}.cache`);
  process.exitCode = await cli.main(argv);
  if (cli.compiledWithoutCache) cli.saveCodeCache();
}
