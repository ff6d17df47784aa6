import { isPlainIdentifier } from "./identifiers.js";

/** A value the emitted program holds as a literal: what JSON can say, plus `undefined` fields to drop. */
export type LiteralValue =
  | null
  | boolean
  | number
  | string
  | readonly LiteralValue[]
  | { readonly [key: string]: LiteralValue | undefined };

/**
 * Writes a value as TypeScript source. Strings go through `JSON.stringify`, which escapes quotes, backslashes and
 * control characters; inside a double-quoted literal a backtick or `${` is plain text, so no `.model` string can
 * end the literal or start an expression. Keys that are not plain identifiers are quoted, and `__proto__` is
 * written as a computed key because even a quoted `"__proto__":` in an object literal sets the prototype.
 */
export function literal(value: LiteralValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return stringLiteral(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return numberLiteral(value);
  if (isArray(value)) return `[${value.map(literal).join(", ")}]`;
  const fields = Object.entries(value).filter(
    (entry): entry is [string, LiteralValue] => entry[1] !== undefined,
  );
  if (fields.length === 0) return "{}";
  return `{ ${fields.map(([key, item]) => `${propertyKey(key)}: ${literal(item)}`).join(", ")} }`;
}

export function propertyKey(key: string): string {
  if (key === "__proto__") return `[${stringLiteral(key)}]`;
  return isPlainIdentifier(key) ? key : stringLiteral(key);
}

/** JSON's escaping, plus U+2028/U+2029, which JSON leaves raw and older tools read as line breaks. */
export function stringLiteral(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function numberLiteral(n: number): string {
  if (Number.isNaN(n)) return "Number.NaN";
  if (n === Infinity) return "Number.POSITIVE_INFINITY";
  if (n === -Infinity) return "Number.NEGATIVE_INFINITY";
  return Object.is(n, -0) ? "-0" : String(n);
}

// `Array.isArray` does not narrow `readonly` arrays out of a union; this guard does.
function isArray(value: LiteralValue): value is readonly LiteralValue[] {
  return Array.isArray(value);
}
