/** `--emit ts`: see `typescript/README.md`. Loads ts-morph and prettier, so import it only for `--emit ts`. */
export { emitTypeScript, type EmitTypeScriptInput } from "./typescript/index.js";
