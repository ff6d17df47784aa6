import type { HintAst } from "../../../grammar/ast.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import type { Hint } from "../../ir/expanded.js";
import type { CallStack, Reporter } from "./reporter.js";

/** Hint name -> the smallest number it takes, or null when it takes none. */
const HINTS: ReadonlyMap<string, number | null> = new Map([
  ["data", null],
  ["model", null],
  ["stage", 0],
  ["devices", 1],
]);

/** Checks `@data @model @stage(N) @devices(N)`; what they mean is the placement pass's business. */
export function toHints(hints: readonly HintAst[], reporter: Reporter, stack: CallStack): Hint[] {
  const out: Hint[] = [];
  for (const h of hints) {
    const name = h.name.name;
    const min = HINTS.get(name);
    if (min === undefined) {
      reporter.report("MG1029", h.name.span, [name], stack, { hint: didYouMean(name, HINTS.keys()) });
    } else if (min === null) {
      if (h.value) reporter.report("MG1031", h.value.span, [name], stack);
      else out.push({ kind: name as Hint["kind"], span: h.span });
    } else if (!h.value) {
      reporter.report("MG1030", h.span, [name], stack);
    } else if (!Number.isInteger(h.value.value) || h.value.value < min) {
      reporter.report("MG1041", h.value.span, [name, min, h.value.text], stack);
    } else {
      out.push({ kind: name as Hint["kind"], value: h.value.value, span: h.span });
    }
  }
  return out;
}
