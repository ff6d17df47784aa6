import type { Attrs, IRNode } from "../../compiler/ir/graph.js";

/**
 * Typed reads of `lower`'s normalised attrs. A missing attr falls back to the Keras default, so hand-built
 * graphs (tests, plans from older compilers) still build; a wrongly-typed one is a bug upstream and throws.
 */
export class AttrReader {
  private readonly attrs: Attrs;

  constructor(private readonly node: IRNode) {
    this.attrs = node.attrs;
  }

  number(name: string, fallback?: number): number {
    const value = this.attrs[name] ?? fallback;
    if (typeof value !== "number") throw this.bad(name, "a number");
    return value;
  }

  string(name: string, fallback?: string): string {
    const value = this.attrs[name] ?? fallback;
    if (typeof value !== "string") throw this.bad(name, "a string");
    return value;
  }

  bool(name: string, fallback?: boolean): boolean {
    const value = this.attrs[name] ?? fallback;
    if (typeof value !== "boolean") throw this.bad(name, "true or false");
    return value;
  }

  /** `[h, w]`; a bare number n (not yet normalised) reads as `[n, n]`. */
  pair(name: string, fallback?: readonly [number, number]): [number, number] {
    const value = this.attrs[name] ?? fallback;
    if (typeof value === "number") return [value, value];
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number"))
      return [value[0] as number, value[1] as number];
    throw this.bad(name, "an [h, w] pair");
  }

  numbers(name: string): number[] {
    const value = this.attrs[name];
    if (Array.isArray(value) && value.every((v) => typeof v === "number")) return value as number[];
    throw this.bad(name, "a list of numbers");
  }

  /** zeropad2d: `[[top, bottom], [left, right]]` (an int or `[h, w]` is widened the Keras way). */
  padding2d(name: string): [[number, number], [number, number]] {
    const value = this.attrs[name] ?? 1;
    if (typeof value === "number")
      return [
        [value, value],
        [value, value],
      ];
    if (Array.isArray(value) && value.length === 2) {
      const [a, b] = value;
      if (typeof a === "number" && typeof b === "number")
        return [
          [a, a],
          [b, b],
        ];
      if (Array.isArray(a) && Array.isArray(b) && a.length === 2 && b.length === 2)
        return [
          [a[0] as number, a[1] as number],
          [b[0] as number, b[1] as number],
        ];
    }
    throw this.bad(name, "[[top, bottom], [left, right]]");
  }

  private bad(name: string, expected: string): Error {
    return new TypeError(
      `IR node '${this.node.name}' (${this.node.op}): attr '${name}' should be ${expected}, ` +
        `got ${JSON.stringify(this.attrs[name])}`,
    );
  }
}
