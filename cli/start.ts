/**
 * The installed command's entry: esbuild makes this file dist/mgpuc-start.cjs (scripts/bundle-cli.mjs), a few
 * hundred bytes that bin/mgpuc.js requires. `--version` is answered here, without loading the compiler; every
 * other command line runs the CLI bundle, dist/mgpuc.cjs, through its code cache (launch.ts).
 *
 * CommonJS, like bin/mgpuc.js: an ES module entry starts node's ES module loader, 10–15 ms of every start on
 * this machine, which no command on the compile path otherwise needs (issue 14).
 */
import { fileURLToPath } from "node:url";
import { loadCli } from "./launch.js";
import { writeStdoutDirect } from "./stdout.js";
import { VERSION } from "./version.js";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // What commander prints for `.version(VERSION)`; straight to file descriptor 1, as stdout.ts says why.
  writeStdoutDirect(`${VERSION}\n`);
} else {
  // `import.meta.url` is this bundle's own URL (scripts/bundle-cli.mjs defines it for the CommonJS output).
  const bundle = fileURLToPath(new URL("./mgpuc.cjs", import.meta.url));
  const cli = loadCli(bundle, `${bundle}.cache`);
  // No top-level await in CommonJS: the exit code is set when the command settles.
  void cli.main(argv).then((code) => {
    process.exitCode = code;
    if (cli.compiledWithoutCache) cli.saveCodeCache();
  });
}
