import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { DataFormatError } from "../data-formats/format-error.js";
import {
  characters,
  checkTextLength,
  mobyDickText,
  vocabularyOf,
  windowCount,
} from "../data-formats/text-format.js";
import type { DataProbe } from "./data-facts.js";

/**
 * `text(path, block:)` and `moby_dick(block:)` at compile time: the whole text (its vocabulary is the
 * check's subject: an embedding and an output must cover every character), so samples are `[block]` character
 * ids and labels `[block]` class ids below the vocabulary size.
 */
export function probeText(source: { readonly path: string } | "moby_dick", block: number): DataProbe {
  const path = source === "moby_dick" ? "moby_dick" : source.path;
  let text: string;
  if (source === "moby_dick") text = mobyDickText();
  else {
    try {
      text = readFileSync(source.path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A missing file was already a warning (MG2204); training says it again if it is still missing.
      if (code === "ENOENT") return { kind: "unknown" };
      return { kind: "unreadable", message: `${path}: ${(error as Error).message}`, path };
    }
  }
  const chars = characters(text);
  const name = source === "moby_dick" ? "moby_dick" : basename(path);
  try {
    checkTextLength(chars.length, block, name);
  } catch (error) {
    if (!(error instanceof DataFormatError)) throw error;
    return { kind: "unreadable", message: error.message, path };
  }
  const distinct = vocabularyOf(chars);
  const vocabulary = distinct.length;
  const windows = windowCount(chars.length, block);
  const at = `${name} (${vocabulary} distinct characters)`;
  return {
    kind: "facts",
    facts: {
      name: source === "moby_dick" ? "moby_dick" : "text",
      sampleShape: [block],
      flat: false,
      labelShape: [block],
      vocabulary,
      characters: distinct,
      labels: {
        max: { value: vocabulary - 1, at },
        min: { value: 0, at },
        ...(vocabulary > 2 ? { notBinary: { value: 2, at } } : {}),
        complete: true,
        count: windows * block,
        summary: `character ids 0-${vocabulary - 1}`,
      },
    },
  };
}
