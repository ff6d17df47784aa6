import { DiagnosticBag } from "../../compiler/diagnostics/diagnostic.js";
import { SourceFile, type Span } from "../../compiler/diagnostics/span.js";
import type { ExpandedLayer, ExpandedModel, Section } from "../../compiler/ir/expanded.js";
import type { Args, Value } from "../../compiler/ir/values.js";
import type { PassContext } from "../../compiler/diagnostics/pass-context.js";

/**
 * Hand-built front-end output for unit tests of lower / infer-shapes / check-data, independent of the parser.
 * Spans are synthetic: layer i spans [100·i, 100·i + 10), and its arguments follow at +20, +30, ...
 */
export type Plain =
  | number
  | boolean
  | string
  | { str: string }
  | { call: string; kw?: Record<string, Plain> }
  | readonly Plain[];

const FILE = "test.model";
export const span = (start: number, end = start + 5): Span => ({ file: FILE, start, end });

// Array.isArray does not narrow readonly arrays.
const isList = (p: Plain): p is readonly Plain[] => Array.isArray(p);

let cursor = 10_000;
export function value(p: Plain, at: Span = span(cursor++)): Value {
  if (typeof p === "number") return { kind: "number", value: p, isInteger: Number.isInteger(p), span: at };
  if (typeof p === "boolean") return { kind: "bool", value: p, span: at };
  if (typeof p === "string") return { kind: "name", name: p, span: at };
  if (isList(p)) return { kind: "list", items: p.map((x) => value(x)), span: at };
  if ("str" in p) return { kind: "string", value: p.str, span: at };
  return { kind: "call", name: p.call, args: args([], p.kw ?? {}, at.start), span: at };
}

export function args(positional: readonly Plain[], keyword: Record<string, Plain>, base: number): Args {
  let offset = base + 20;
  const next = () => span((offset += 10));
  return {
    positional: positional.map((p) => value(p, next())),
    keyword: Object.entries(keyword).map(([name, p]) => ({
      name,
      nameSpan: next(),
      value: value(p, next()),
    })),
    span: span(base + 10, base + 90),
  };
}

export interface LayerSpec {
  readonly op: string;
  readonly pos?: readonly Plain[];
  readonly kw?: Record<string, Plain>;
  /** Defaults to the previous layer. */
  readonly inputs?: readonly number[];
  readonly name?: string;
  readonly callSites?: readonly Span[];
}

/** A model: one input of `shape`, then `layers`, each fed by the previous one unless it names its inputs. */
export function buildModel(
  shape: readonly number[],
  layers: readonly LayerSpec[],
  sections: { train?: Record<string, Plain>; parallel?: Record<string, Plain>; dtype?: "int32" } = {},
): ExpandedModel {
  const built: ExpandedLayer[] = [
    {
      id: 0,
      name: "image",
      op: "input",
      args: args([], {}, 0),
      inputs: [],
      hints: [],
      span: span(0, 10),
      callSites: [],
      input: { name: "image", dtype: sections.dtype ?? "float32", shape, shapeSpan: span(5, 10) },
    },
  ];
  const counts = new Map<string, number>();
  layers.forEach((l, i) => {
    const id = i + 1;
    const n = counts.get(l.op) ?? 0;
    counts.set(l.op, n + 1);
    built.push({
      id,
      name: l.name ?? (n === 0 ? l.op : `${l.op}_${n}`),
      op: l.op,
      args: args(l.pos ?? [], l.kw ?? {}, id * 100),
      inputs: l.inputs ?? [id - 1],
      hints: [],
      span: span(id * 100, id * 100 + 10),
      callSites: l.callSites ?? [],
    });
  });
  const section = (entries: Record<string, Plain> | undefined, base: number): Section | undefined =>
    entries && {
      span: span(base, base + 1000),
      entries: Object.entries(entries).map(([key, p], i) => ({
        key,
        keySpan: span(base + i * 20),
        value: value(p, span(base + i * 20 + 10)),
      })),
    };
  const train = section(sections.train, 50_000);
  const parallel = section(sections.parallel, 60_000);
  return {
    name: "Test",
    span: span(0, 100_000),
    layers: built,
    inputs: [0],
    outputs: [built.length - 1],
    ...(train ? { train } : {}),
    ...(parallel ? { parallel } : {}),
  };
}

export function context(): PassContext {
  return { diagnostics: new DiagnosticBag(), source: new SourceFile(FILE, " ".repeat(100_000)) };
}
