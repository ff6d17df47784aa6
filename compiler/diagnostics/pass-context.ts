import type { DiagnosticBag } from "./diagnostic.js";
import type { SourceFile } from "./span.js";

/** What every pass receives besides the graph: where to report, and the source being compiled. */
export interface PassContext {
  readonly diagnostics: DiagnosticBag;
  readonly source: SourceFile;
}
