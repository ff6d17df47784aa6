/** Longest line the emitters aim for, as black's default plus a little: the programs are meant to be read. */
const LINE_WIDTH = 110;

/**
 * `head(args)tail` on one line when it fits in LINE_WIDTH at `indent`, else black-style: the arguments on
 * their own line, one level deeper, and the closing parenthesis back at `indent`.
 */
export function wrapCall(indent: string, head: string, args: readonly string[], tail = ""): string {
  const flat = `${indent}${head}(${args.join(", ")})${tail}`;
  if (flat.length <= LINE_WIDTH) return flat;
  const inner = `${indent}    ${args.join(", ")}`;
  if (inner.length <= LINE_WIDTH) return `${indent}${head}(\n${inner}\n${indent})${tail}`;
  return `${indent}${head}(\n${args.map((a) => `${indent}    ${a},`).join("\n")}\n${indent})${tail}`;
}
