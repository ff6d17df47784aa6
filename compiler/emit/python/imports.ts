/**
 * The import block: standard library first, then the guard, then the frameworks. Python puts the program's own
 * folder first on sys.path, so a program saved as `torch.py` or `tensorflow.py` would import itself instead of
 * the framework; the guard drops that folder before the frameworks are imported (the programs import nothing
 * from beside themselves; data files are opened by path).
 */
export function importBlock(stdlib: readonly string[], frameworks: readonly string[]): string {
  return [
    ...[...new Set(stdlib)].sort().map((m) => `import ${m}`),
    "",
    "sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != os.path.dirname(os.path.abspath(__file__))]",
    "",
    ...frameworks,
  ].join("\n");
}
