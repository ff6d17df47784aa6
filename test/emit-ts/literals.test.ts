import { describe, expect, it } from "vitest";
import {
  commentText,
  IdentifierScope,
  literal,
  type LiteralValue,
} from "../../compiler/emit/typescript/index.js";

// Evaluating the emitted text is the honest check that a literal means exactly the value it was made from.
function evaluate(source: string): unknown {
  return new Function(`return (${source});`)();
}

describe("literal", () => {
  const hostile = [
    'a"b',
    "back`tick",
    "${process.exit(1)}",
    "line\nbreak\r\u2028\u2029",
    "\\",
    "</script>",
    "'single'",
    "\u0000nul",
    "emoji 🧠",
  ];

  it.each(hostile)("round-trips the string %j", (text) => {
    expect(evaluate(literal(text))).toBe(text);
    expect(literal(text)).not.toMatch(/[\n\r\u2028\u2029]/);
  });

  it("round-trips nested values with hostile keys, keeping __proto__ an own property", () => {
    // JSON.parse makes `__proto__` an own key, as a `.model` name reaching the emitter would be.
    const value = JSON.parse(
      '{"plain": [1, -0.5, 1e-7, true, null], "needs quotes": {"a-b": "x"}, "__proto__": "own", "class": 3}',
    ) as LiteralValue;
    const back = evaluate(literal(value)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(back, "__proto__")).toBe(true);
    expect(JSON.stringify(back)).toBe(JSON.stringify(value));
  });

  it("drops undefined fields", () => {
    expect(literal({ a: 1, b: undefined })).toBe("{ a: 1 }");
  });
});

describe("commentText", () => {
  it("keeps outside text inside a comment", () => {
    const text = commentText("evil*/\nprocess.exit(1)\u2028x");
    expect(text).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(text).not.toContain("*/");
  });
});

describe("IdentifierScope", () => {
  it("renames reserved words and the program's own names, deterministically", () => {
    const scope = new IdentifierScope();
    const names = ["class", "await", "constructor", "__proto__", "tf", "model", "data", "dense", "class"];
    expect(names.map((n) => scope.claim(n))).toEqual([
      "class_",
      "await_",
      "constructor_",
      "__proto___",
      "tf_",
      "model_",
      "data_",
      "dense",
      "class_2",
    ]);
  });

  it("turns block paths into identifiers without colliding with a layer of the same spelling", () => {
    const scope = new IdentifierScope();
    expect(scope.claim("residual_1/conv2d")).toBe("residual_1_conv2d");
    expect(scope.claim("residual_1_conv2d")).toBe("residual_1_conv2d_");
  });
});
