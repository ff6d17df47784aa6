import { readFile } from "node:fs/promises";
import {
  characters,
  checkTextLength,
  mobyDickText,
  vocabularyOf,
  windowCount,
} from "../../compiler/data-formats/text-format.js";
import { DataError, asDataError } from "./data-error.js";
import type { Dataset } from "./dataset.js";

/**
 * `text(path, block: T)` and `moby_dick(block: T)` (compiler/data-formats/text-format.ts): sample i is the
 * character ids at positions i·T … i·T + T − 1, its labels the ids one position further. The vocabulary travels
 * with the data set (checkpoints save it; `mgpuc sample` decodes with it). Validation is the end of the text.
 */
export async function loadText(
  source: { readonly path: string } | "moby_dick",
  block: number,
  inputShape: readonly number[],
  /** The ids to use (a training text's vocabulary); default the text's own. */
  given?: readonly string[],
): Promise<Dataset> {
  const name = source === "moby_dick" ? "moby_dick" : source.path;
  let text: string;
  if (source === "moby_dick") text = mobyDickText();
  else {
    try {
      text = await readFile(source.path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DataError(
        code === "ENOENT" ? `data file not found: ${name}` : `cannot read ${name}: ${code ?? String(error)}`,
        name,
      );
    }
  }
  const chars = characters(text);
  asDataError(() => checkTextLength(chars.length, block, name));
  if (inputShape.length !== 1 || inputShape[0] !== block)
    throw new DataError(
      `${name} gives windows of ${block} characters but the model's input is [${inputShape.join(", ")}]; ` +
        `declare the input int32[${block}]`,
      name,
    );
  const vocabulary = given ? [...given] : vocabularyOf(chars);
  if (given) {
    const known = new Set(given);
    const unknown = [...new Set(chars.filter((c) => !known.has(c)))];
    if (unknown.length > 0)
      throw new DataError(
        `${name} has ${unknown.length} character(s) the training text lacks (${unknown
          .slice(0, 10)
          .map((c) => JSON.stringify(c))
          .join(", ")}): the model has no id for them; use text drawn from the same characters`,
        name,
      );
  }
  const ids = new Map(vocabulary.map((c, i) => [c, i]));
  const count = windowCount(chars.length, block);
  const x = new Float32Array(count * block);
  const y = new Int32Array(count * block);
  for (let w = 0; w < count; w++) {
    for (let p = 0; p < block; p++) {
      const at = w * block + p;
      x[at] = ids.get(chars[at]!)!;
      y[at] = ids.get(chars[at + 1]!)!;
    }
  }
  return {
    x,
    y,
    count,
    sampleShape: [block],
    labelShape: [block],
    numClasses: vocabulary.length,
    description:
      source === "moby_dick"
        ? `moby_dick (Moby-Dick, ${chars.length.toLocaleString("en-US")} characters, ${vocabulary.length} distinct)`
        : `text(${name}, ${vocabulary.length} distinct characters)`,
    vocabulary,
    validationFromEnd: true,
  };
}
