import type { InputStmt } from "../../../grammar/ast.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import type { InputDeclaration } from "../../ir/expanded.js";
import type { CallStack, Reporter } from "./reporter.js";

const DTYPES = ["float32", "int32"] as const;

/** An `input` statement's declaration: dtype known (float32 by default), every dimension an integer >= 1. */
export function inputDeclaration(s: InputStmt, reporter: Reporter, stack: CallStack): InputDeclaration {
  const dtype = s.dtype?.name ?? "float32";
  if (s.dtype && dtype !== "float32" && dtype !== "int32") {
    reporter.report("MG1038", s.dtype.span, [dtype], stack, { hint: didYouMean(dtype, DTYPES) });
  }
  for (const dim of s.shape) {
    if (!Number.isInteger(dim.value) || dim.value < 1) reporter.report("MG1020", dim.span, [dim.text], stack);
  }
  return {
    name: s.name.name,
    dtype: dtype === "int32" ? "int32" : "float32",
    shape: s.shape.map((d) => d.value),
    shapeSpan: s.shapeSpan,
  };
}
