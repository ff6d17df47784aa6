/**
 * Text from outside (a file path, a model name) placed inside a comment. Line terminators, including
 * U+2028/U+2029 which JavaScript also ends lines on, and other control characters are escaped, so the text
 * can never leave a line comment and become code; a star-slash is broken up so a block comment stays open too.
 */
export function commentText(text: string): string {
  return text
    .replace(/\*\//g, "*\\/")
    .replace(
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

/** Words re-flowed into lines of at most `width` characters, for doc comments prettier will not wrap. */
export function wrapText(text: string, width = 100): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}
