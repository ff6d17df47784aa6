import type { Span } from "./span.js";
import { MESSAGES, type MessageCode } from "./messages.js";

export type Severity = "error" | "warning";

/** A note attached to a diagnostic, e.g. "in block 'residual' called here". */
export interface RelatedNote {
  readonly message: string;
  readonly span: Span;
}

/** A user-facing problem. User mistakes are values of this type, never exceptions. */
export interface Diagnostic {
  readonly code: MessageCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
  readonly notes?: readonly RelatedNote[];
}

/** Fills a message template's `{0}`, `{1}`, ... placeholders. */
export function formatMessage(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? `{${i}}`));
}

/** Builds a diagnostic from the message table, so every message text lives in one place. */
export function diagnostic(
  code: MessageCode,
  span: Span,
  args: readonly (string | number)[] = [],
  extra: { hint?: string; notes?: readonly RelatedNote[] } = {},
): Diagnostic {
  const entry = MESSAGES[code];
  return {
    code,
    severity: entry.severity,
    message: formatMessage(entry.message, args),
    span,
    ...(extra.hint !== undefined ? { hint: extra.hint } : {}),
    ...(extra.notes && extra.notes.length > 0 ? { notes: extra.notes } : {}),
  };
}

/** Collects diagnostics during a pass; passes report through it instead of throwing. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  report(
    code: MessageCode,
    span: Span,
    args: readonly (string | number)[] = [],
    extra: { hint?: string; notes?: readonly RelatedNote[] } = {},
  ): void {
    this.items.push(diagnostic(code, span, args, extra));
  }

  get errorCount(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}
