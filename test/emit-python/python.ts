import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Debian's interpreter, where python3-torch installs (the `python3` on PATH may be another one). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export function python(): string {
  return spawnSync("python3", ["--version"]).status === 0 ? "python3" : SYSTEM_PYTHON;
}

/** Why the torch training tests cannot run here, or undefined when `import torch` works. */
export function torchMissing(): string | undefined {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  return r.status === 0
    ? undefined
    : `${SYSTEM_PYTHON} -c 'import torch' failed (apt-get install -y python3-torch): ${(r.stderr ?? r.error?.message ?? "").trim().split("\n").pop()}`;
}

/** py_compile over several sources in one interpreter start; returns each file's error, or "" when it compiles. */
export function pyCompileAll(sources: readonly { name: string; text: string }[]): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-py-"));
  const paths = sources.map((s, i) => {
    const path = join(dir, `p${i}.py`);
    writeFileSync(path, s.text);
    return path;
  });
  const script = [
    "import py_compile, sys",
    "for path in sys.argv[1:]:",
    "    try:",
    "        py_compile.compile(path, doraise=True)",
    "        print('')",
    "    except py_compile.PyCompileError as e:",
    "        print(str(e).replace('\\n', ' '))",
  ].join("\n");
  const r = spawnSync(python(), ["-c", script, ...paths], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  const lines = r.stdout.split("\n");
  return new Map(sources.map((s, i) => [s.name, lines[i] ?? "no result"]));
}

/**
 * Module-level names each program uses but never defines (nor imports, nor a builtin), by Python's own symbol
 * tables: a name read in any function, class or comprehension that resolves to the module and is not bound
 * there. One interpreter start for all; each source's names sorted, [] when it defines everything it reads.
 */
export function undefinedGlobalsAll(
  sources: readonly { name: string; text: string }[],
): Map<string, string[]> {
  const dir = mkdtempSync(join(tmpdir(), "mgpuc-py-"));
  const paths = sources.map((s, i) => {
    const path = join(dir, `p${i}.py`);
    writeFileSync(path, s.text);
    return path;
  });
  const script = [
    "import builtins, json, symtable, sys",
    "def missing(path):",
    "    with open(path) as f:",
    "        top = symtable.symtable(f.read(), path, 'exec')",
    "    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}",
    "    bound |= set(dir(builtins)) | {'__file__', '__name__'}",
    "    out = set()",
    "    def walk(table):",
    "        for s in table.get_symbols():",
    "            module_level = table.get_type() == 'module' or s.is_global()",
    "            if s.is_referenced() and module_level and s.get_name() not in bound:",
    "                out.add(s.get_name())",
    "        for child in table.get_children():",
    "            walk(child)",
    "    walk(top)",
    "    return sorted(out)",
    "print(json.dumps([missing(p) for p in sys.argv[1:]]))",
  ].join("\n");
  const r = spawnSync(python(), ["-c", script, ...paths], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  const results = JSON.parse(r.stdout) as string[][];
  return new Map(sources.map((s, i) => [s.name, results[i] ?? ["no result"]]));
}
