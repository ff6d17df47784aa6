// `node --import ./test/support/import-log.mjs ...`: appends the URL of every module the process resolves to the
// file named by IMPORT_LOG, one a line, after `esm ` or `cjs ` (the module system that loaded it), so a test can say what a command loaded (test/cli/start-up.test.ts):
// ES modules through a resolve hook, CommonJS ones (the installed command's entry is CommonJS) through
// `Module._load`, node's own modules left out.
import { appendFileSync } from "node:fs";
import Module, { isBuiltin, register } from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";

register("./import-log-hooks.mjs", import.meta.url);

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (process.env.IMPORT_LOG && !isBuiltin(request)) {
    const file = Module._resolveFilename(request, parent, isMain);
    appendFileSync(process.env.IMPORT_LOG, `cjs ${pathToFileURL(file).href}\n`);
  }
  return load.call(this, request, parent, isMain);
};
