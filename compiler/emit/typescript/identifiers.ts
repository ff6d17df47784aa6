/**
 * Names from a `.model` file become TypeScript identifiers in the emitted program. A model may call a layer
 * `class`, `await`, `tf` or `__proto__`; every such name is renamed here, so the program always compiles and no
 * `.model` name can shadow or rebind one of the program's own.
 */

/** ECMAScript reserved words, strict-mode and module-only ones included, plus TypeScript's own. */
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false " +
    "finally for function if import in instanceof new null return super switch this throw true try " +
    "typeof var void while with as implements interface let package private protected public static " +
    "yield await async of get set arguments eval any boolean number string symbol bigint object never " +
    "unknown undefined declare module namespace type keyof readonly unique infer is asserts abstract " +
    "accessor satisfies override out require constructor prototype __proto__ NaN Infinity globalThis " +
    "console process Promise Error JSON Math Object Array String Number Boolean Symbol Map Set Date"
  ).split(" "),
);

/** Every name the emitted program declares or imports at any scope a model name could reach. */
export const PROGRAM_NAMES: readonly string[] = (
  "tf model data plan training args main buildModel parseArgs trainModel TrainingFailure initBackend parseDataSource " +
  "readFileSync fileURLToPath dirname resolve result devices steps epochs seed baseDir intFlag usage " +
  "inputs outputs error loss TrainingConfig DataSource Loss PROGRAM_DIR"
).split(" ");

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/**
 * Hands out unique, safe identifiers. `claim("residual_1/conv2d")` gives `residual_1_conv2d`; a reserved or
 * already-taken name gets `_` appended, then `_2`, `_3`, ... so the mapping stays readable and deterministic.
 */
export class IdentifierScope {
  private readonly taken = new Set<string>();

  constructor(programNames: readonly string[] = PROGRAM_NAMES) {
    for (const name of programNames) this.taken.add(name);
  }

  claim(raw: string): string {
    let base = raw.replace(/[^A-Za-z0-9_]/g, "_");
    if (base === "" || /^[0-9]/.test(base)) base = `_${base}`;
    if (!RESERVED.has(base) && !this.taken.has(base)) return this.take(base);
    const renamed = `${base}_`;
    if (!RESERVED.has(renamed) && !this.taken.has(renamed)) return this.take(renamed);
    for (let n = 2; ; n++) {
      const candidate = `${base}_${n}`;
      if (!this.taken.has(candidate)) return this.take(candidate);
    }
  }

  /** Like `claim`, but a second `filters` becomes `filters_2`: for parameters, which read as a numbered set. */
  claimNumbered(raw: string): string {
    const base = raw.replace(/[^A-Za-z0-9_]/g, "_");
    if (isPlainIdentifier(base) && !this.taken.has(base)) return this.take(base);
    return this.claim(`${base}_2`);
  }

  private take(name: string): string {
    this.taken.add(name);
    return name;
  }
}
