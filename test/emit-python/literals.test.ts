import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  pyFloat,
  pyNumber,
  pyString,
  pythonIdentifier,
  uniqueIdentifiers,
} from "../../compiler/emit/python/index.js";
import { python } from "./python.js";

/** Evaluates Python literals with ast.literal_eval and returns their repr as JSON, to compare with the input. */
function roundTrip(literals: string[]): unknown[] {
  const script =
    "import ast, json, sys\nprint(json.dumps([ast.literal_eval(s) for s in json.load(sys.stdin)]))";
  const r = spawnSync(python(), ["-c", script], { input: JSON.stringify(literals), encoding: "utf8" });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as unknown[];
}

describe("Python literals", () => {
  it("escapes strings so Python reads back exactly the text", () => {
    const texts = [
      'a"b',
      "back\\slash",
      "new\nline",
      "tab\t\r",
      "\u0000\u007f",
      "naïve ✓ 𝔘",
      "'single'",
      "{0} %s",
    ];
    const literals = texts.map(pyString);
    for (const l of literals) expect(l).toMatch(/^"[\x20-\x7e]*"$/);
    expect(roundTrip(literals)).toEqual(texts);
  });

  it("writes numbers that read back as the same value", () => {
    const values = [64, -1, 0.001, 1e-7, 1.001e-5, 1e21, 0.1 + 0.2];
    expect(roundTrip(values.map(pyNumber))).toEqual(values);
    expect(pyFloat(1)).toBe("1.0");
    expect(pyFloat(0.99)).toBe("0.99");
  });
});

describe("Python identifiers", () => {
  it("renames keywords, builtins and names the program or nn.Module use", () => {
    expect(pythonIdentifier("class")).toBe("class_");
    expect(pythonIdentifier("lambda")).toBe("lambda_");
    expect(pythonIdentifier("None")).toBe("None_");
    expect(pythonIdentifier("training")).toBe("training_");
    expect(pythonIdentifier("torch")).toBe("torch_");
    expect(pythonIdentifier("dense_1")).toBe("dense_1");
  });

  it("makes block paths, leading digits and dunders valid", () => {
    expect(pythonIdentifier("residual_1/conv2d")).toBe("residual_1_conv2d");
    expect(pythonIdentifier("1x")).toBe("_1x");
    expect(pythonIdentifier("__init__")).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
  });

  it("keeps identifiers distinct when sanitised names collide", () => {
    const ids = uniqueIdentifiers(["a/b", "a_b", "class", "class_"]);
    expect(new Set(ids.values()).size).toBe(4);
    const check = spawnSync(
      python(),
      [
        "-c",
        "import keyword, sys\nprint(all(s.isidentifier() and not keyword.iskeyword(s) for s in sys.argv[1:]))",
        ...ids.values(),
      ],
      { encoding: "utf8" },
    );
    expect(check.stdout.trim()).toBe("True");
  });
});
