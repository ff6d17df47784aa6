import type { DiagnosticBag, RelatedNote } from "../../diagnostics/diagnostic.js";
import type { MessageCode } from "../../diagnostics/messages.js";
import type { Span } from "../../diagnostics/span.js";

/** Where expansion currently is: the block calls around it, innermost first. */
export interface CallStack {
  readonly callSites: readonly Span[];
  readonly blockNames: readonly string[];
}

/** Deeply nested calls would bury the message under notes; the innermost calls say the most. */
const MAX_CALL_NOTES = 8;

export const TOP_LEVEL: CallStack = { callSites: [], blockNames: [] };

/**
 * Reports through the pass's bag, adding "in block 'x' called here" notes, and once per location: a mistake in
 * a block called ten times, or in a `repeat 10` body, is one error, not ten.
 */
export class Reporter {
  private readonly seen = new Set<string>();

  constructor(private readonly bag: DiagnosticBag) {}

  report(
    code: MessageCode,
    span: Span,
    args: readonly (string | number)[] = [],
    stack: CallStack = TOP_LEVEL,
    extra: { hint?: string | undefined; notes?: readonly RelatedNote[] } = {},
  ): void {
    const key = `${code}:${span.file}:${span.start}:${span.end}:${args.join("\u0000")}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const notes: RelatedNote[] = [...(extra.notes ?? [])];
    stack.callSites.slice(0, MAX_CALL_NOTES).forEach((site, i) => {
      notes.push({ message: `in block '${stack.blockNames[i] ?? "?"}' called here`, span: site });
    });
    this.bag.report(code, span, args, { ...(extra.hint !== undefined ? { hint: extra.hint } : {}), notes });
  }
}
