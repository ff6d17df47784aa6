// `node --import ./test/support/import-log.mjs ...`: appends the URL of every module the process resolves to the
// file named by IMPORT_LOG, one a line, so a test can say what a command loaded (test/cli/start-up.test.ts).
import { register } from "node:module";

register("./import-log-hooks.mjs", import.meta.url);
