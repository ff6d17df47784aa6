/**
 * Text from outside (a file path, a model name) placed inside a comment. Line terminators, including
 * U+2028/U+2029 which JavaScript also ends lines on, and other control characters are escaped, so the text
 * can never leave a line comment and become code; a star-slash is broken up so a block comment stays open too.
 */
export function commentText(text: string): string {
  let out = "";
  for (const c of text.replace(/\*\//g, "*\\/")) {
    const code = c.charCodeAt(0);
    const breaks = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    out += breaks ? `\\u${code.toString(16).padStart(4, "0")}` : c;
  }
  return out;
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
