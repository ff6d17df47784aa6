/**
 * Python literals for values that come from a `.model` file. User text reaches the emitted program only through
 * these functions, so a name or path holding quotes, backslashes or newlines can never break out of its string.
 */

/** A double-quoted Python `str` literal; non-ASCII and control characters as escapes, so the file stays ASCII. */
export function pyString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code < 0x7f) out += ch;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out + '"';
}

/** A Python number literal that reads back as the same double (`1e-07`, `0.001`, `64`). */
export function pyNumber(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : '-float("inf")';
  // JavaScript's shortest round-trip form is also valid Python once `e+` is spelled `e`.
  return String(value).replace("e+", "e");
}

/** A float literal even for whole numbers (`0.0`, `1.0`), where Python code expects a float. */
export function pyFloat(value: number): string {
  const text = pyNumber(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

export function pyBool(value: boolean): string {
  return value ? "True" : "False";
}

/** A tuple of ints (`(3, 3)`, `(28,)`). */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${pyNumber(values[0]!)},)` : `(${values.map(pyNumber).join(", ")})`;
}
