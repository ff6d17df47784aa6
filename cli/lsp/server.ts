import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  ProposedFeatures,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeAction,
  type CompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Hover,
  type Location,
  type Range,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import type { Span } from "../../compiler/diagnostics/span.js";
import { withCommas } from "../../compiler/diagnostics/with-commas.js";
import { layerConfigLabel } from "../../compiler/emit/explain.js";
import { OPS } from "../../compiler/ops/index.js";
// The keys the compiler accepts are the keys completion offers: one list.
import { SECTION_KEYS } from "../../compiler/passes/expand/sections.js";
import { formatModelText } from "../../grammar/format.js";
import { MODEL_LEXER } from "../../grammar/tokens.js";
import { type Analysis, analyse, planOf } from "./analysis.js";

const DID_YOU_MEAN = /did you mean '([^']+)'/;

/**
 * `mgpuc lsp`: a Language Server Protocol server over stdio. Every feature reads the same analysis `mgpuc check`
 * does (cli/lsp/analysis.ts), redone on each edit: diagnostics with codes, hints and related locations; the
 * did-you-mean hints as quick fixes; hover with a layer's output shape, parameters and, under a `parallel`
 * section, its placement; completion of layers, blocks, keyword arguments and section keys; definitions and
 * references of blocks and bound names; document symbols; formatting through `mgpuc fmt`'s layout.
 */
export function startLanguageServer(): void {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: Analysis }>();

  const analysisOf = (doc: TextDocument): Analysis => {
    const cached = analyses.get(doc.uri);
    if (cached && cached.version === doc.version) return cached.analysis;
    const analysis = analyse(doc.uri, doc.getText());
    analyses.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  };
  const range = (doc: TextDocument, span: Span): Range => ({
    start: doc.positionAt(span.start),
    end: doc.positionAt(Math.max(span.end, span.start)),
  });
  const toLsp = (doc: TextDocument, d: Diagnostic): LspDiagnostic => ({
    range: range(doc, d.span),
    severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: "mgpuc",
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
    ...(d.notes && d.notes.length > 0
      ? {
          relatedInformation: d.notes.map((n) => ({
            location: { uri: doc.uri, range: range(doc, n.span) },
            message: n.message,
          })),
        }
      : {}),
  });

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ["(", ",", " ", "@"] },
      definitionProvider: true,
      referencesProvider: true,
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: "mgpuc" },
  }));

  documents.onDidChangeContent(({ document }) => {
    const { diagnostics } = analysisOf(document);
    void connection.sendDiagnostics({
      uri: document.uri,
      diagnostics: diagnostics.map((d) => toLsp(document, d)),
    });
  });
  documents.onDidClose(({ document }) => {
    analyses.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onHover(({ textDocument, position }): Hover | null => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const analysis = analysisOf(doc);
    const offset = doc.offsetAt(position);
    for (const model of analysis.models) {
      const nodes = (model.graph?.nodes ?? []).filter((n) => n.span.start <= offset && offset <= n.span.end);
      // The innermost layer: the one with the shortest span around the cursor.
      const node = nodes.sort((a, b) => a.span.end - a.span.start - (b.span.end - b.span.start))[0];
      if (!node) continue;
      const params = node.params ? node.params.trainable + node.params.nonTrainable : 0;
      const lines = [
        `**${node.name}** \`${node.op}\` → [${(node.outputShape ?? []).join(", ")}] · ${withCommas(params)} parameters`,
      ];
      const parallel = analysis.ast.declarations.some(
        (d) => d.kind === "parallel" && (d.model?.name ?? model.name) === model.name,
      );
      const plan = parallel ? planOf(analysis, model.name) : undefined;
      const layer = plan?.layers.find((l) => l.name === node.name);
      if (plan && layer) {
        // explain's words: the configuration, predicted compute and communication, memory, why.
        const pipelined = plan.layers.some((l) => l.placement.stage > 0);
        const { computeMs, commMs, memoryBytes } = layer.predicted;
        lines.push(
          `placed ${layerConfigLabel(layer, pipelined)}: compute ${computeMs.toFixed(2)} ms, ` +
            `communication ${commMs.toFixed(2)} ms, ${(memoryBytes / 2 ** 20).toFixed(1)} MiB per device`,
          layer.reason,
        );
      }
      return { contents: { kind: "markdown", value: lines.join("\n\n") }, range: range(doc, node.span) };
    }
    return null;
  });

  connection.onCompletion(({ textDocument, position }): CompletionItem[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const text = doc.getText();
    const offset = doc.offsetAt(position);
    const call = enclosingCall(text, offset);
    const op = call ? OPS.get(call) : undefined;
    if (op) {
      // After `activation: ` (or any enum argument): its values; otherwise the call's keyword arguments.
      const key = /([A-Za-z_][A-Za-z0-9_]*)\s*:\s*[A-Za-z_]*$/.exec(text.slice(0, offset))?.[1];
      const type = op.args.find((a) => a.name === key)?.type;
      if (type?.kind === "enum")
        return type.values.map((v) => ({ label: v, kind: CompletionItemKind.EnumMember }));
      return op.args.map((a) => ({
        label: a.name,
        kind: CompletionItemKind.Property,
        insertText: `${a.name}: `,
      }));
    }
    const analysis = analysisOf(doc);
    const section = analysis.ast.declarations.find(
      (d) => (d.kind === "train" || d.kind === "parallel") && d.span.start <= offset && offset <= d.span.end,
    );
    if (section && (section.kind === "train" || section.kind === "parallel"))
      return SECTION_KEYS[section.kind].map((k) => ({
        label: k,
        kind: CompletionItemKind.Property,
        insertText: `${k}: `,
      }));
    const blocks = analysis.ast.declarations.flatMap((d) => (d.kind === "block" ? [d.name.name] : []));
    // Tensors bound before the cursor in its model or block: the input, block parameters, bindings.
    const here = analysis.ast.declarations.find(
      (d) => (d.kind === "model" || d.kind === "block") && d.span.start <= offset && offset <= d.span.end,
    );
    const bound =
      here && (here.kind === "model" || here.kind === "block")
        ? [
            ...(here.kind === "block" ? here.params.map((p) => p.name) : []),
            ...here.body.flatMap((s) => (s.kind === "binding" || s.kind === "input" ? [s.name] : [])),
          ].filter((n) => n.span.end <= offset)
        : [];
    return [
      ...bound.map((n) => ({ label: n.name, kind: CompletionItemKind.Variable, detail: "tensor" })),
      ...[...OPS.values()].map((o) => ({
        label: o.name,
        kind: CompletionItemKind.Function,
        detail: o.keras,
      })),
      ...blocks.map((b) => ({ label: b, kind: CompletionItemKind.Module, detail: "block" })),
    ];
  });

  const declarationsNamed = (analysis: Analysis, name: string, offset: number): Span[] => {
    const spans: Span[] = [];
    for (const d of analysis.ast.declarations) {
      if (d.kind === "block" && d.name.name === name) spans.push(d.name.span);
      if ((d.kind === "model" || d.kind === "block") && d.span.start <= offset && offset <= d.span.end) {
        if (d.kind === "block") for (const p of d.params) if (p.name.name === name) spans.push(p.name.span);
        for (const s of d.body) if (s.kind === "binding" && s.name.name === name) spans.push(s.name.span);
        for (const s of d.body) if (s.kind === "input" && s.name.name === name) spans.push(s.name.span);
      }
    }
    return spans;
  };

  connection.onDefinition(({ textDocument, position }): Location[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const offset = doc.offsetAt(position);
    const word = wordAt(doc.getText(), offset);
    if (!word) return [];
    return declarationsNamed(analysisOf(doc), word.name, offset).map((s) => ({
      uri: doc.uri,
      range: range(doc, s),
    }));
  });

  connection.onReferences(({ textDocument, position }): Location[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const text = doc.getText();
    const offset = doc.offsetAt(position);
    const word = wordAt(text, offset);
    if (!word) return [];
    const analysis = analysisOf(doc);
    // A block is named file-wide; a bound name within its model or block.
    const isBlock = analysis.ast.declarations.some((d) => d.kind === "block" && d.name.name === word.name);
    const scope = isBlock
      ? analysis.ast.span
      : (analysis.ast.declarations.find((d) => d.span.start <= offset && offset <= d.span.end)?.span ??
        analysis.ast.span);
    return MODEL_LEXER.tokenize(text)
      .tokens.filter(
        (t) => t.image === word.name && t.startOffset >= scope.start && t.startOffset < scope.end,
      )
      .map((t) => ({
        uri: doc.uri,
        range: range(doc, { file: doc.uri, start: t.startOffset, end: t.startOffset + t.image.length }),
      }));
  });

  connection.onDocumentSymbol(({ textDocument }): DocumentSymbol[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    return analysisOf(doc).ast.declarations.map((d) => ({
      name:
        d.kind === "model" || d.kind === "block" ? d.name.name : `${d.kind} ${d.model?.name ?? ""}`.trim(),
      kind:
        d.kind === "model"
          ? SymbolKind.Class
          : d.kind === "block"
            ? SymbolKind.Function
            : SymbolKind.Namespace,
      range: range(doc, d.span),
      selectionRange: range(doc, d.kind === "model" || d.kind === "block" ? d.name.span : d.span),
    }));
  });

  connection.onDocumentFormatting(({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const result = formatModelText(doc.getText(), doc.uri);
    if (!("text" in result) || result.text === doc.getText()) return [];
    return [
      {
        range: { start: doc.positionAt(0), end: doc.positionAt(doc.getText().length) },
        newText: result.text,
      },
    ];
  });

  connection.onCodeAction(({ textDocument, context }): CodeAction[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    return context.diagnostics.flatMap((d) => {
      const suggestion = DID_YOU_MEAN.exec(typeof d.message === "string" ? d.message : d.message.value)?.[1];
      if (!suggestion) return [];
      return [
        {
          title: `Change to '${suggestion}'`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [doc.uri]: [{ range: d.range, newText: suggestion }] } },
        },
      ];
    });
  });

  documents.listen(connection);
  connection.listen();
}

/** The identifier around `offset`, if any. */
function wordAt(text: string, offset: number): { name: string; start: number } | undefined {
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  let end = offset;
  while (end < text.length && /[A-Za-z0-9_]/.test(text[end]!)) end++;
  const name = text.slice(start, end);
  return /^[A-Za-z_]/.test(name) ? { name, start } : undefined;
}

/** The name of the call whose argument list holds `offset` (`dense(10, |` → `dense`), if any. */
function enclosingCall(text: string, offset: number): string | undefined {
  let depth = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === ")" || c === "]") depth++;
    else if (c === "[") depth = Math.max(0, depth - 1);
    else if (c === "(") {
      if (depth > 0) depth--;
      else {
        const before = text.slice(0, i).match(/([A-Za-z_][A-Za-z0-9_]*)\s*$/);
        return before?.[1];
      }
    } else if (c === "{" || c === "}" || c === "\n") return undefined;
  }
  return undefined;
}
