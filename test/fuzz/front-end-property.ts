import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import {
  DiagnosticBag,
  SourceFile,
  renderDiagnostics,
  type Diagnostic,
} from "../../compiler/diagnostics/index.js";
import { expandBlocks } from "../../compiler/passes/expand-blocks.js";
import { parse } from "../../grammar/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The shipped examples plus one file that uses every form, as seeds for truncation and mutation. */
export const SEEDS: readonly string[] = [
  ...["mnist", "cnn", "residual"].map((name) =>
    readFileSync(join(ROOT, "examples", `${name}.model`), "utf8"),
  ),
  [
    'block b(x, y, n: int = 2, s: shape = [1, 2], f: float = 1e-3, on: bool = true, w: string = "a\\n") {',
    "  h = conv2d(n, kernel: [3, 3]) @model @stage(1) -> relu; add(h, y) /* c */",
    "}",
    "model A { input t: int32[8] embedding(10, 4) -> b(_, _, 3) @devices(2); repeat 2 { dense(-1) } output _ }",
    'train A { data: csv("f.csv", label: "y") optimizer: sgd(lr: 1.5e-2) metrics: [accuracy, [1, 2]] }',
    "parallel A { strategy: model devices: all }",
  ].join("\n"),
];

const TOKENS = [
  "model",
  "block",
  "input",
  "output",
  "repeat",
  "train",
  "parallel",
  "true",
  "false",
  "_",
  "x",
  "h",
  "b",
  "A",
  "dense",
  "add",
  "conv2d",
  "relu",
  "residual",
  "int",
  "shape",
  "int32",
  "data",
  "stage",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ",",
  ":",
  ";",
  "=",
  "->",
  "@",
  "-1",
  "0",
  "3",
  "1e-3",
  "2.5",
  '"s"',
  '"',
  "//",
  "/*",
  "*/",
  "\n",
  "#",
  "é",
];

const CHARS = [...'{}()[],:;=@-_"/*\n xa09eE.\\#', "é", "\u0000"];

export const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((ts) => ts.join(" "));

export const truncation = fc
  .tuple(fc.constantFrom(...SEEDS), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([seed, at]) => seed.slice(0, Math.floor(at * seed.length)));

export const mutation = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom("delete", "insert", "replace"),
    fc.constantFrom(...CHARS),
  )
  .map(([seed, at, op, ch]) => {
    const i = Math.min(seed.length - 1, Math.floor(at * seed.length));
    if (op === "delete") return seed.slice(0, i) + seed.slice(i + 1);
    if (op === "insert") return seed.slice(0, i) + ch + seed.slice(i);
    return seed.slice(0, i) + ch + seed.slice(i + 1);
  });

function spanInside(d: { span: { start: number; end: number } }, length: number): boolean {
  const { start, end } = d.span;
  return Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= length;
}

/**
 * The property: the front end never throws, every diagnostic (and note) lies inside the file, and rendering
 * works. Expansion runs even after syntax errors, on whatever AST recovery left.
 */
export function frontEndHolds(text: string): boolean {
  const source = new SourceFile("f.model", text);
  const parsed = parse(source);
  const bag = new DiagnosticBag();
  expandBlocks(parsed.ast, { diagnostics: bag, source });
  const all: Diagnostic[] = [...parsed.diagnostics, ...bag.items];
  for (const d of all) {
    if (!spanInside(d, text.length)) return false;
    if (!(d.notes ?? []).every((n) => spanInside(n, text.length))) return false;
  }
  renderDiagnostics(all, () => source, { color: false });
  return true;
}
