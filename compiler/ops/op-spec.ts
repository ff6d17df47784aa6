import type { ArgSchema } from "./arg-schema.js";

/**
 * What the compiler knows about one layer: the single source every pass and emitter reads. Each layer family
 * lives in its own file in this folder and is registered in `index.ts`'s table.
 */
export interface OpSpec {
  /** The layer's name in LANGUAGE.md. */
  readonly name: string;
  /**
   * `one`: the input comes only through `_` or `->`. `many`: tensors are the leading positional arguments,
   * written out (`add(h, x)`), as for `add`, `multiply`, `concat`.
   */
  readonly tensorInputs: "one" | "many";
  /** Non-tensor arguments, in positional order, with Keras defaults. */
  readonly args: readonly ArgSchema[];
}
