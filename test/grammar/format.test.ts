import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { dumpGraph } from "../../cli/dump.js";
import { SourceFile } from "../../compiler/diagnostics/span.js";
import { compileSource } from "../../compiler/pipeline.js";
import { formatModelText } from "../../grammar/format.js";
import { MODEL_LEXER } from "../../grammar/tokens.js";
import { mutation, SEEDS } from "../fuzz/front-end-property.js";
import { REPO } from "../support/run-cli.js";
import { runCliAsync } from "../support/spawn-cli.js";

/** `mgpuc fmt` (issue 19): one canonical layout, idempotent, never changing what a file means. */

function formatted(text: string): string {
  const result = formatModelText(text);
  if (!("text" in result))
    throw new Error(`syntax errors: ${result.diagnostics.map((d) => d.message).join("; ")}`);
  return result.text;
}

/** What a file means: its tokens but `;` (a statement break like a newline), and its comments, in order. */
function meaning(text: string): string[] {
  const lexed = MODEL_LEXER.tokenize(text);
  const tokens = lexed.tokens.filter((t) => t.tokenType.name !== "Semicolon").map((t) => t.image);
  return [...tokens, "|", ...(lexed.groups["comments"] ?? []).map((c) => c.image)];
}

/** The compiled model and plan, without source positions. */
function compiled(text: string): string | undefined {
  const result = compileSource(new SourceFile("f.model", text));
  if (!result.graph) return undefined;
  const plan = result.plan ? JSON.stringify(result.plan.layers.map((l) => [l.name, l.placement])) : "";
  return `${dumpGraph(result.graph)}${plan}`;
}

const golden = join(REPO, "test", "golden");
const INPUTS = [
  ...readdirSync(join(REPO, "examples"))
    .filter((f) => f.endsWith(".model"))
    .map((f) => join(REPO, "examples", f)),
  ...readdirSync(golden)
    .filter((d) => d.startsWith("fe-"))
    .map((d) => join(golden, d, "input.model")),
];

describe("mgpuc fmt", () => {
  it("lays out a messy file canonically, keeping its comments where they were", () => {
    const messy = [
      "// head",
      "block  res( x ,n:int=2){conv2d(n,kernel:3,padding:same)->relu;add( _ ,x)}",
      "model M{",
      "  input x : [8 ,8, 1]   // the image",
      "",
      "",
      "",
      "  conv2d( 4 , kernel : [3,3] )@model @stage( 0 )",
      "    ->  relu",
      "  repeat 2 { res(_, 4) }",
      "  flatten; dense(10,",
      "     activation:softmax)",
      "}",
      "train M{data:synthetic(samples:64,classes:10) loss:sparse_categorical_crossentropy}",
    ].join("\n");
    expect(formatted(messy)).toBe(
      [
        "// head",
        "block res(x, n: int = 2) {",
        "  conv2d(n, kernel: 3, padding: same) -> relu",
        "  add(_, x)",
        "}",
        "model M {",
        "  input x: [8, 8, 1]    // the image",
        "",
        "  conv2d(4, kernel: [3, 3]) @model @stage(0)",
        "    -> relu",
        "  repeat 2 { res(_, 4) }",
        "  flatten",
        "  dense(10, activation: softmax)",
        "}",
        "train M {",
        "  data: synthetic(samples: 64, classes: 10)",
        "  loss: sparse_categorical_crossentropy",
        "}",
        "",
      ].join("\n"),
    );
  });

  it.each(INPUTS.map((f) => [f.slice(REPO.length + 1), f]))(
    "%s: formats to itself when it compiles cleanly; idempotent and meaning-preserving otherwise",
    (_, file) => {
      const text = readFileSync(file, "utf8");
      const result = formatModelText(text);
      if (!("text" in result)) return expect(result.diagnostics.length).toBeGreaterThan(0);
      const clean = compileSource(new SourceFile(file, text)).diagnostics.every(
        (d) => d.severity !== "error",
      );
      if (clean) expect(result.text).toBe(text);
      expect(formatted(result.text)).toBe(result.text);
      expect(meaning(result.text)).toEqual(meaning(text));
    },
  );

  it("never changes what a file means, and formats its own output to itself (mutated examples)", () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...SEEDS), mutation), (text) => {
        const result = formatModelText(text);
        if (!("text" in result)) return;
        parsed++;
        expect(formatted(result.text)).toBe(result.text);
        expect(meaning(result.text)).toEqual(meaning(text));
        expect(compiled(result.text)).toEqual(compiled(text));
      }),
      { numRuns: 300, seed: 19 },
    );
    // The subject occurs: most single-character mutations still parse.
    expect(parsed).toBeGreaterThan(50);
  });

  it("leaves a file with syntax errors untouched and says why", () => {
    const result = formatModelText("model M { dense(10 }");
    expect("diagnostics" in result && result.diagnostics[0]!.code).toMatch(/^MG1\d{3}$/);
  });
});

describe("mgpuc fmt on the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-fmt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--check lists the files that would change (exit 1), --write rewrites them, then --check passes", async () => {
    const messy = join(dir, "messy.model");
    const tidy = join(dir, "tidy.model");
    const broken = join(dir, "broken.model");
    writeFileSync(messy, "model M{input x:[4] dense(2)}\n");
    writeFileSync(tidy, readFileSync(join(REPO, "examples", "mnist.model"), "utf8"));
    writeFileSync(broken, "model M { dense( }\n");
    const check = await runCliAsync(["fmt", "--check", messy, tidy]);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe(`${messy}\n`);
    const write = await runCliAsync(["fmt", "--write", messy, tidy, broken]);
    expect(write.code).toBe(1);
    expect(write.stdout).toBe(`formatted ${messy}\n`);
    expect(write.stderr).toContain(`${broken}: not formatted (syntax errors)`);
    expect(readFileSync(messy, "utf8")).toBe("model M {\n  input x: [4]\n  dense(2)\n}\n");
    expect(readFileSync(broken, "utf8")).toBe("model M { dense( }\n");
    expect((await runCliAsync(["fmt", "--check", messy, tidy])).code).toBe(0);
    const printed = await runCliAsync(["fmt", messy]);
    expect(printed.stdout).toBe(readFileSync(messy, "utf8"));
  }, 60_000);
});
