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
