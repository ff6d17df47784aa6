import type { AttrValue, Attrs } from "../ir/graph.js";
import { describeType, type ArgSchema, type ArgType } from "./arg-schema.js";

/**
 * The values an argument schema describes, as types and as checked reads: the one place that turns the stored
 * attrs (`Attrs`, untyped, as `lower` writes them and plans carry them) into typed values.
 */

/** The normalised value of an argument of type `T` (what `lower` stores). */
export type ArgValue<T extends ArgType> = T extends { readonly kind: "int" | "float" }
  ? number
  : T extends { readonly kind: "bool" }
    ? boolean
    : T extends { readonly kind: "string" }
      ? string
      : T extends { readonly kind: "enum"; readonly values: readonly (infer V)[] }
        ? V
        : T extends { readonly kind: "pair" }
          ? readonly [number, number]
          : T extends { readonly kind: "shape" }
            ? readonly number[]
            : T extends { readonly kind: "padding2d" }
              ? Padding2d
              : never;

/** zeropad2d's normalised padding: `[[top, bottom], [left, right]]`. */
export type Padding2d = readonly [readonly [number, number], readonly [number, number]];

/**
 * The attrs a schema describes, every one present: required ones are written, the rest have a default, take
 * another argument's (`defaultFrom`) or are filled by the op's `infer` (`defaultFromShape`) before anything
 * past `infer-shapes` reads them.
 */
export type ArgValues<A extends readonly ArgSchema[]> = {
  readonly [S in A[number] as S["name"]]: ArgValue<S["type"]>;
};

/**
 * Reads `attrs` through `schemas`: each value checked against its type and normalised (an int where a pair is
 * expected reads `[n, n]`; zeropad's int or `[h, w]` reads `[[h, h], [w, w]]`), each missing one filled with the
 * schema's default — so graphs built by hand and plans from older compilers read like `lower`'s output. A
 * missing required attr or a value of the wrong type is a bug upstream: it throws, naming `where`.
 */
export function readArgs<A extends readonly ArgSchema[]>(
  schemas: A,
  attrs: Attrs,
  where: string,
): ArgValues<A> {
  const out: Record<string, AttrValue> = {};
  for (const schema of schemas) {
    const written = attrs[schema.name];
    const value =
      written ?? schema.default ?? (schema.defaultFrom !== undefined ? out[schema.defaultFrom] : undefined);
    if (value === undefined) {
      const why = schema.defaultFromShape !== undefined ? " (infer-shapes fills it)" : "";
      throw new Error(`internal: ${where}: attr '${schema.name}' is missing${why}`);
    }
    const normalised = normalise(value, schema.type);
    if (normalised === undefined)
      throw new TypeError(
        `internal: ${where}: attr '${schema.name}' should be ${describeType(schema.type)}, got ${JSON.stringify(value)}`,
      );
    out[schema.name] = normalised;
  }
  return out as ArgValues<A>;
}

function normalise(v: AttrValue, type: ArgType): AttrValue | undefined {
  switch (type.kind) {
    case "int":
    case "float":
      return typeof v === "number" ? v : undefined;
    case "bool":
      return typeof v === "boolean" ? v : undefined;
    case "string":
      return typeof v === "string" ? v : undefined;
    case "enum":
      return typeof v === "string" && type.values.includes(v) ? v : undefined;
    case "pair":
      return typeof v === "number" ? [v, v] : numberPair(v);
    case "shape":
      return numberList(v);
    case "padding2d": {
      if (typeof v === "number")
        return [
          [v, v],
          [v, v],
        ];
      const flat = numberPair(v);
      if (flat)
        return [
          [flat[0], flat[0]],
          [flat[1], flat[1]],
        ];
      if (!Array.isArray(v) || v.length !== 2) return undefined;
      const rows = v.map(numberPair);
      return rows[0] && rows[1] ? [rows[0], rows[1]] : undefined;
    }
  }
}

function numberList(v: AttrValue): number[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "number")
    ? [...(v as readonly number[])]
    : undefined;
}

function numberPair(v: AttrValue): [number, number] | undefined {
  const list = numberList(v);
  return list?.length === 2 ? [list[0]!, list[1]!] : undefined;
}
