/**
 * `mgpuc` run from the sources or from tsc's dist/ (the installed command runs the bundle instead: bin/mgpuc.js,
 * cli/start.ts). The verbs themselves are in program.ts.
 */
import { main } from "./program.js";

process.exitCode = await main(process.argv.slice(2));
