import { mobyDickText } from "../../data-formats/text-format.js";
import type { EmittedFile } from "./emit-input.js";

/** The novel beside a program that reads `moby_dick(...)`: Python has no npm package to read it from. */
export const MOBY_DICK_FILE = "moby-dick.txt";

/** The exact text mgpuc trains on (compiler/data-formats/text-format.ts), as UTF-8. */
export function mobyDickFile(): EmittedFile {
  return { path: MOBY_DICK_FILE, content: mobyDickText() };
}
