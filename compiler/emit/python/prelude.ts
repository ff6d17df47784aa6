/**
 * Prelude pieces: the fixed Python the programs carry, cut into their top-level definitions so that a program
 * holds only the ones its model, data and plan need. A piece is named by the Python name it defines (`dense`,
 * `BatchNorm`, `read_csv`), or, for a need with no code of its own, by a feature (`source:csv`, `nn.LayerNorm`);
 * it names the pieces its code uses (`needs`) and the imports it wants. The backend tables say what to start
 * from; `selectPieces` adds every piece needed by one already taken, and a program writes the taken pieces in
 * the catalog's order, so the same input always gives the same program.
 *
 * A line of a piece may end in a guard, `  #? key` (kept when the piece `key` is taken) or `  #? !key` (kept
 * when it is not): code that adapts to what else the program holds without naming what it may lack. An `elif`
 * left first in its chain by a guard becomes `if`.
 */

export interface Piece {
  readonly key: string;
  /** Python source, possibly with guarded lines; empty for a feature. */
  readonly code: string;
  readonly needs: readonly string[];
  /** A standard-library module (`csv`) or a whole import line of a framework (`from torch... import ...`). */
  readonly imports: readonly string[];
}

/** What a catalog declares for one definition of a Python source. */
export interface PieceNeeds {
  readonly needs?: readonly string[];
  readonly imports?: readonly string[];
}

/** A need with no code of its own: it brings `needs` and switches on the lines guarded by its key. */
export function feature(key: string, needs: readonly string[] = []): Piece {
  return { key, code: "", needs, imports: [] };
}

const DEFINES = /^(?:def|class)\s+([A-Za-z_]\w*)|^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)/;

/**
 * A Python source's top-level statements, keyed by the name each binds (`__main__` for the closing
 * `if __name__ == "__main__":`), in source order. A statement starts at an unindented line that defines
 * something; unindented closing brackets and blank lines stay with the statement before.
 */
export function topLevelDefinitions(source: string): Map<string, string> {
  const out = new Map<string, string>();
  let key: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (key !== undefined) out.set(key, lines.join("\n").trim());
    lines = [];
  };
  for (const line of source.split("\n")) {
    const starts = line !== "" && !/^[\s)\]}]/.test(line);
    if (starts) {
      const m = DEFINES.exec(line);
      const name = line.startsWith("if __name__") ? "__main__" : (m?.[1] ?? m?.[2]);
      if (name === undefined) throw new Error(`prelude: a top-level line that defines nothing: ${line}`);
      if (out.has(name) || name === key) throw new Error(`prelude: ${name} is defined twice`);
      flush();
      key = name;
    } else if (key === undefined && line.trim() !== "") {
      throw new Error(`prelude: code before the first definition: ${line}`);
    }
    lines.push(line);
  }
  flush();
  return out;
}

/**
 * The pieces of a Python source: one per top-level definition, with what `declared` says it needs. Every
 * definition must be declared and every declaration must be defined, so a helper added to a prelude without
 * saying what it needs, or a declaration left behind by one removed, fails at once instead of silently.
 */
export function piecesOf(
  source: string,
  declared: Readonly<Record<string, PieceNeeds>>,
  where: string,
): Piece[] {
  const defs = topLevelDefinitions(source);
  const undeclared = [...defs.keys()].filter((k) => !Object.hasOwn(declared, k));
  const missing = Object.keys(declared).filter((k) => !defs.has(k));
  if (undeclared.length > 0 || missing.length > 0)
    throw new Error(
      `${where}: ${[
        undeclared.length > 0 ? `declare the needs of ${undeclared.join(", ")}` : "",
        missing.length > 0 ? `no definition of ${missing.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; ")}`,
    );
  return [...defs].map(([key, code]) => ({
    key,
    code,
    needs: declared[key]?.needs ?? [],
    imports: declared[key]?.imports ?? [],
  }));
}

/** The pieces a program carries: what it asked for and everything those need, in catalog order. */
export class PieceSelection {
  private readonly byKey: ReadonlyMap<string, Piece>;
  private readonly taken = new Set<string>();

  constructor(
    private readonly catalog: readonly Piece[],
    wanted: Iterable<string>,
  ) {
    const byKey = new Map<string, Piece>();
    for (const piece of catalog) {
      if (byKey.has(piece.key)) throw new Error(`prelude: two pieces named ${piece.key}`);
      byKey.set(piece.key, piece);
    }
    this.byKey = byKey;
    const take = (key: string, from: string) => {
      const piece = byKey.get(key);
      if (!piece) throw new Error(`prelude: ${from} needs ${key}, which no piece defines`);
      if (this.taken.has(key)) return;
      this.taken.add(key);
      for (const need of piece.needs) take(need, key);
    };
    for (const key of wanted) take(key, "the program");
  }

  /** Whether the program carries the piece `key` (an unknown key is an emitter bug, not "no"). */
  has(key: string): boolean {
    if (!this.byKey.has(key)) throw new Error(`prelude: no piece named ${key}`);
    return this.taken.has(key);
  }

  /** The taken pieces among `pieces` (a section of the catalog), guards applied, two blank lines apart. */
  render(pieces: readonly Piece[]): string {
    return pieces
      .filter((p) => this.taken.has(p.key) && p.code !== "")
      .map((p) => applyGuards(p.code, (key) => this.has(key)))
      .join("\n\n\n");
  }

  /** The standard-library modules the taken pieces import, and their framework import lines, in order. */
  imports(): { readonly stdlib: readonly string[]; readonly lines: readonly string[] } {
    const all = this.catalog.filter((p) => this.taken.has(p.key)).flatMap((p) => p.imports);
    const unique = [...new Set(all)];
    return { stdlib: unique.filter((i) => !i.includes(" ")), lines: unique.filter((i) => i.includes(" ")) };
  }

  /** The taken keys, in catalog order (for tests and for reading). */
  keys(): string[] {
    return this.catalog.filter((p) => this.taken.has(p.key)).map((p) => p.key);
  }
}

const GUARD = /\s+#\? (!?)(\S+)$/;

/** The lines `code` keeps under `has`, guards removed, and an `elif` that lost its `if` turned into `if`. */
export function applyGuards(code: string, has: (key: string) => boolean): string {
  const out: string[] = [];
  // Per indentation: whether the if-chain open there has a kept branch yet.
  const chains = new Map<number, boolean>();
  for (const line of code.split("\n")) {
    const guard = GUARD.exec(line);
    const keep = !guard || has(guard[2]!) !== (guard[1] === "!");
    let text = guard ? line.slice(0, guard.index) : line;
    const indent = text.length - text.trimStart().length;
    const body = text.trimStart();
    if (body !== "") {
      for (const level of [...chains.keys()]) if (level > indent) chains.delete(level);
      if (body.startsWith("if ")) chains.set(indent, keep);
      else if (body.startsWith("elif ") || body.startsWith("else:")) {
        if (keep && chains.get(indent) === false) {
          if (body.startsWith("else:")) throw new Error(`prelude: an else with no branch before it: ${line}`);
          text = `${" ".repeat(indent)}if ${body.slice("elif ".length)}`;
        }
        if (keep) chains.set(indent, true);
      } else chains.delete(indent);
    }
    if (keep) out.push(text);
  }
  return out.join("\n");
}
