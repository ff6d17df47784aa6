import { didYouMean } from "../diagnostics/suggest.js";
import type { Span } from "../diagnostics/span.js";
import type { AttrValue } from "../ir/graph.js";
import { formatValue, type Args, type Value } from "../ir/values.js";
import { describeType, type ArgSchema, type ArgType } from "../ops/arg-schema.js";
import type { PassContext } from "../diagnostics/pass-context.js";

/**
 * Checks written arguments against a schema (a layer's, an optimizer's, a data source's) and returns them
 * normalised with every default filled (`values`: a layer's attrs, an optimizer's or a data source's settings).
 * Each mistake is reported at the argument's own span. When anything is wrong the result still has a well-typed
 * value for every argument (a neutral placeholder), so later code can read them without re-checking; `ok` says
 * whether they may be trusted.
 */
export function checkArgs(
  args: Args,
  schemas: readonly ArgSchema[],
  owner: string,
  ctx: PassContext,
  ownerSpan: Span = args.span,
): { values: Record<string, AttrValue>; ok: boolean } {
  const errorsBefore = ctx.diagnostics.errorCount;
  const written = new Map<string, Value>();
  if (args.positional.length > schemas.length) {
    const extra = args.positional[schemas.length]!;
    ctx.diagnostics.report("MG2011", extra.span, [owner, schemas.length, args.positional.length]);
  }
  args.positional.forEach((value, i) => {
    const schema = schemas[i];
    if (schema) written.set(schema.name, value);
  });
  for (const kw of args.keyword) {
    const schema = schemas.find((s) => s.name === kw.name);
    if (!schema) {
      const hint = didYouMean(
        kw.name,
        schemas.map((s) => s.name),
      );
      ctx.diagnostics.report("MG2010", kw.nameSpan, [kw.name, owner], hint ? { hint } : {});
      continue;
    }
    if (written.has(kw.name)) {
      ctx.diagnostics.report("MG2013", kw.nameSpan, [kw.name, owner]);
      continue;
    }
    written.set(kw.name, kw.value);
  }

  const attrs: Record<string, AttrValue> = {};
  for (const schema of schemas) {
    const value = written.get(schema.name);
    if (value === undefined) {
      if (schema.required) {
        ctx.diagnostics.report("MG2012", ownerSpan, [owner, schema.name], {
          hint: `write \`${schema.name}: ${example(schema.type)}\``,
        });
        attrs[schema.name] = placeholder(schema.type);
      } else if (schema.default !== undefined) {
        attrs[schema.name] = schema.default;
      }
      continue;
    }
    attrs[schema.name] = convert(value, schema, owner, ctx) ?? placeholder(schema.type);
  }
  for (const schema of schemas) {
    if (schema.defaultFrom !== undefined && attrs[schema.name] === undefined) {
      attrs[schema.name] = attrs[schema.defaultFrom] ?? placeholder(schema.type);
    }
  }
  return { values: attrs, ok: ctx.diagnostics.errorCount === errorsBefore };
}

/** A value as the user wrote it, for "got ..." in messages. */
export const showValue = formatValue;

function convert(value: Value, schema: ArgSchema, owner: string, ctx: PassContext): AttrValue | undefined {
  const type = schema.type;
  const wrongType = () => {
    ctx.diagnostics.report("MG2014", value.span, [schema.name, owner, describeType(type), showValue(value)]);
    return undefined;
  };
  const outOfRange = (bound: string) => {
    ctx.diagnostics.report("MG2016", value.span, [schema.name, owner, bound, showValue(value)]);
    return undefined;
  };
  switch (type.kind) {
    case "int": {
      if (value.kind !== "number" || !value.isInteger) return wrongType();
      if (type.min !== undefined && value.value < type.min) return outOfRange(`an integer >= ${type.min}`);
      if (type.max !== undefined && value.value > type.max) return outOfRange(`an integer <= ${type.max}`);
      return value.value;
    }
    case "float": {
      if (value.kind !== "number") return wrongType();
      const v = value.value;
      const low = type.min === undefined || (type.minExclusive ? v > type.min : v >= type.min);
      const high = type.max === undefined || (type.maxExclusive ? v < type.max : v <= type.max);
      if (!low || !high) return outOfRange(describeRange(type));
      return v;
    }
    case "bool":
      return value.kind === "bool" ? value.value : wrongType();
    case "string":
      return value.kind === "string" ? value.value : wrongType();
    case "enum": {
      const name = value.kind === "name" ? value.name : value.kind === "string" ? value.value : undefined;
      if (name === undefined) return wrongType();
      if (!type.values.includes(name)) {
        const hint = didYouMean(name, type.values);
        ctx.diagnostics.report(
          "MG2015",
          value.span,
          [name, schema.name, owner, type.values.join(", ")],
          hint ? { hint } : {},
        );
        return undefined;
      }
      return name;
    }
    case "pair": {
      const pair = intList(value, 1, 2);
      if (pair === undefined) return wrongType();
      const [h, w] = pair.length === 1 ? [pair[0]!, pair[0]!] : [pair[0]!, pair[1]!];
      if (h < type.min || w < type.min) return outOfRange(`at least ${type.min}`);
      return [h, w];
    }
    case "shape": {
      if (value.kind !== "list" || value.items.length === 0) return wrongType();
      const dims = intList(value, 1, Infinity);
      if (dims === undefined) return wrongType();
      const inferred = dims.filter((d) => d === -1).length;
      const bad = dims.some((d) => d < 1 && d !== -1) || inferred > (type.allowInfer ? 1 : 0);
      if (bad)
        return outOfRange(type.allowInfer ? "dimensions >= 1, with at most one -1" : "dimensions >= 1");
      return dims;
    }
    case "padding2d":
      return padding2d(value) ?? wrongType();
  }
}

/** An int (as a one-element list) or a flat list of `min`..`max` ints. */
function intList(value: Value, min: number, max: number): number[] | undefined {
  if (value.kind === "number") return value.isInteger ? [value.value] : undefined;
  if (value.kind !== "list" || value.items.length < min || value.items.length > max) return undefined;
  const out: number[] = [];
  for (const item of value.items) {
    if (item.kind !== "number" || !item.isInteger) return undefined;
    out.push(item.value);
  }
  return out;
}

/** `n`, `[h, w]` or `[[t, b], [l, r]]` → `[[t, b], [l, r]]`, all >= 0 (Keras's ZeroPadding2D forms). */
function padding2d(value: Value): number[][] | undefined {
  const flat = intList(value, 2, 2) ?? (value.kind === "number" ? intList(value, 1, 1) : undefined);
  let result: number[][] | undefined;
  if (flat) {
    const [h, w] = flat.length === 1 ? [flat[0]!, flat[0]!] : [flat[0]!, flat[1]!];
    result = [
      [h, h],
      [w, w],
    ];
  } else if (value.kind === "list" && value.items.length === 2) {
    const rows = value.items.map((item) => intList(item, 2, 2));
    if (
      rows[0] &&
      rows[1] &&
      rows[0].length === 2 &&
      rows[1].length === 2 &&
      value.items[0]!.kind === "list"
    ) {
      result = [rows[0], rows[1]];
    }
  }
  if (result && result.flat().some((d) => d < 0)) return undefined;
  return result;
}

function describeRange(type: Extract<ArgType, { kind: "float" }>): string {
  const parts: string[] = [];
  if (type.min !== undefined) parts.push(`${type.minExclusive ? ">" : ">="} ${type.min}`);
  if (type.max !== undefined) parts.push(`${type.maxExclusive ? "<" : "<="} ${type.max}`);
  return `a number ${parts.join(" and ")}`;
}

function placeholder(type: ArgType): AttrValue {
  switch (type.kind) {
    case "int":
      return Math.max(type.min ?? 1, 1);
    case "float":
      return type.min ?? 0;
    case "bool":
      return false;
    case "string":
      return "";
    case "enum":
      return type.values[0] ?? "";
    case "pair":
      return [1, 1];
    case "shape":
      return [-1];
    case "padding2d":
      return [
        [0, 0],
        [0, 0],
      ];
  }
}

function example(type: ArgType): string {
  switch (type.kind) {
    case "int":
      return String(Math.max(type.min ?? 1, 1));
    case "float":
      return "0.5";
    case "bool":
      return "true";
    case "string":
      return '"..."';
    case "enum":
      return type.values[0] ?? "...";
    case "pair":
      return "3";
    case "shape":
      return "[7, 7, 64]";
    case "padding2d":
      return "1";
  }
}
