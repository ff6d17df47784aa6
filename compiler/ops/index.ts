import type { OpSpec } from "./op-spec.js";

/** The op table: every layer of LANGUAGE.md, by name. Adding a layer = one file in this folder + one row here. */
export const OPS: ReadonlyMap<string, OpSpec> = new Map<string, OpSpec>([]);

export type { OpSpec } from "./op-spec.js";
export type { ArgSchema } from "./arg-schema.js";
