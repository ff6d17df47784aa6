/**
 * Which test file owns which golden files, as paths relative to test/golden. Every file in a case folder
 * belongs to exactly one scope (test/golden/scopes.test.ts checks the disk), and each golden test file checks
 * that it read every file of its scope: together, a golden file that no test reads fails the suite.
 */
export interface GoldenScope {
  readonly name: GoldenScopeName;
  /** In words, for messages. */
  readonly files: string;
  owns(path: string): boolean;
}

export type GoldenScopeName = "frontend" | "plan" | "summary" | "typescript" | "python";

/** A case folder named after an example (not a front-end case, not the Python fixtures). */
const exampleFile = (path: string, names: RegExp) => {
  const [folder, file, ...rest] = path.split("/");
  return (
    rest.length === 0 &&
    file !== undefined &&
    !folder!.startsWith("fe-") &&
    folder !== "python-fixtures" &&
    names.test(file)
  );
};

export const GOLDEN_SCOPES: readonly GoldenScope[] = [
  {
    name: "frontend",
    files: "fe-*/{input.model,errors.txt,ast.txt}",
    owns: (path) => /^fe-[^/]+\/(input\.model|errors\.txt|ast\.txt)$/.test(path),
  },
  {
    name: "plan",
    files: "<example>/{plan.json,explain.txt}",
    owns: (path) => exampleFile(path, /^(plan\.json|explain\.txt)$/),
  },
  { name: "summary", files: "<example>/summary.txt", owns: (path) => exampleFile(path, /^summary\.txt$/) },
  { name: "typescript", files: "<example>/expected.ts", owns: (path) => exampleFile(path, /^expected\.ts$/) },
  {
    name: "python",
    files: "<example>/{torch,keras}.py, python-fixtures/<case>.{torch,keras}.py",
    owns: (path) =>
      exampleFile(path, /^(torch|keras)\.py$/) || /^python-fixtures\/[^/]+\.(torch|keras)\.py$/.test(path),
  },
];

export function scopeNamed(name: GoldenScopeName): GoldenScope {
  return GOLDEN_SCOPES.find((s) => s.name === name)!;
}
