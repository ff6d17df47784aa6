import { type Diagnostic, DiagnosticBag } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { SourceFile, type Span } from "../diagnostics/span.js";
import type { DataFacts } from "../data-probe/data-facts.js";
import { probeData } from "../data-probe/probe-data.js";
import type { DataSource, TrainingConfig } from "../ir/config.js";
import type { DType, Graph } from "../ir/graph.js";
import { inputAttrsOf } from "../ir/input-attrs.js";
import { attrsOf, showShape } from "../ops/index.js";
import { checkLoss, checkTarget, type ProbedSource } from "./check-loss.js";
import type { PassContext } from "../diagnostics/pass-context.js";

/**
 * `checkData` on its own, for settings that did not come through the pipeline: a plan run with `--data` or
 * `--loss` (`mgpuc run PLAN.json`). Returns the diagnostics.
 */
export function checkTrainingData(graph: Graph, training: TrainingConfig): readonly Diagnostic[] {
  const diagnostics = new DiagnosticBag();
  checkData(graph, training, { diagnostics, source: new SourceFile(graph.span.file, "") });
  return diagnostics.items;
}

/** The model input as the data checks need it: its declaration, without the graph. */
export interface InputDecl {
  readonly name: string;
  readonly shape: readonly number[];
  readonly span: Span;
  /** Absent for settings checked without the graph's input (treated as float32). */
  readonly dtype?: DType;
}

/**
 * Checks the model against its training data before anything runs, reading the data's headers and first rows
 * (compiler/data-probe): the data's per-sample shape must equal the input's, or equal it up to a trailing axis
 * of size 1 (the loader adds that axis), and CSV rows must have as many features as the input has values; with
 * `target: input` the output must be shaped like the input; and the loss must fit the output and the labels
 * (their kind, range and class count). This is what turns the seed's bug (784 inputs fed 28 × 28 images) into
 * a compile error, and a CSV or IDX file that does not fit the model into one too.
 */
export function checkData(graph: Graph, training: TrainingConfig, ctx: PassContext): void {
  if (!training.data && !training.loss && !training.target) return;
  const where = training.spans.data ?? training.spans.loss ?? training.spans.target ?? graph.span;
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    const counts = `${graph.inputs.length} input(s) and ${graph.outputs.length} output(s)`;
    ctx.diagnostics.report("MG2109", where, [graph.model, counts]);
    return;
  }
  const input = graph.nodes[graph.inputs[0]!];
  const output = graph.nodes[graph.outputs[0]!];
  if (!input || !output?.outputShape) return;
  const declared: InputDecl = {
    name: input.name,
    shape: inputAttrsOf(input).shape,
    span: input.span,
    dtype: input.dtype,
  };
  const sources = checkInputData(declared, training, ctx);
  for (const source of sources) checkVocabulary(graph, source, ctx);
  checkValidationCharacters(sources, ctx);
  if (training.target === "input") checkTarget(declared, output, training, ctx);
  if (training.loss) checkLoss(declared, output, training, sources, ctx);
}

/**
 * The data half of `checkData`, which needs only the input's declaration: each source (`data:`, and
 * `validation:` when it is a source) read and fitted to the input. Returns what was learned of each, for the
 * loss checks. The pipeline also runs it when the front end found errors elsewhere, so one run reports both a
 * typo and the data mismatch (EXAMPLES.md).
 */
export function checkInputData(input: InputDecl, training: TrainingConfig, ctx: PassContext): ProbedSource[] {
  const probed: ProbedSource[] = [];
  const each = (source: DataSource, span: Span) => {
    const facts = readSource(input, source, span, training, ctx);
    if (facts) probed.push({ facts, span });
  };
  if (training.data) each(training.data, training.spans.data ?? input.span);
  if (typeof training.validation !== "number") {
    each(training.validation, training.spans.validation ?? input.span);
  }
  return probed;
}

/** Probes one source and checks it feeds the input; undefined when nothing is known of it. */
function readSource(
  input: InputDecl,
  source: DataSource,
  span: Span,
  training: TrainingConfig,
  ctx: PassContext,
): DataFacts | undefined {
  // `target: input` does not read the labels (LANGUAGE.md), so nothing about them can be wrong.
  const probe = probeData(source, input.shape, { readLabels: training.target !== "input" });
  switch (probe.kind) {
    case "unknown":
      return undefined;
    case "unreadable":
      ctx.diagnostics.report("MG2110", span, [source.kind, probe.message], {
        hint: FORMAT_HINTS[source.kind],
      });
      return undefined;
    case "no-label-column": {
      const hint =
        didYouMean(probe.label, probe.columns) ??
        `name the column that holds the labels: \`label: "${probe.columns.at(-1) ?? "label"}"\``;
      ctx.diagnostics.report("MG2111", span, [probe.path, probe.label, probe.columns.join(", ") || "none"], {
        hint,
      });
      return undefined;
    }
    case "facts":
      checkFeedsInput(input, probe.facts, span, ctx);
      return probe.facts;
  }
}

const FORMAT_HINTS: Readonly<Record<DataSource["kind"], string | undefined>> = {
  mnist: undefined,
  synthetic: undefined,
  idx: "idx(images, labels) reads the MNIST IDX format, gzipped or not: images [count, rows, columns], labels [count]",
  text: "text(path, block: T) reads a UTF-8 file of more than T characters",
  moby_dick: undefined,
  csv: "csv(path) reads a header row, then one number per column on every row",
};

function checkFeedsInput(input: InputDecl, facts: DataFacts, span: Span, ctx: PassContext): void {
  const given = facts.sampleShape;
  const expected = input.shape;
  if (facts.vocabulary !== undefined) {
    checkFeedsTokens(input, facts, span, ctx);
    return;
  }
  if (fits(given, expected)) return;
  const sameSize = count(given) === count(expected);
  if (facts.flat && sameSize) return;
  const declare = `declare \`input ${input.name}: ${showShape(given)}\``;
  const hint = facts.columns
    ? csvHint(facts.columns, input, declare)
    : !sameSize
      ? `${declare}, or feed data of shape ${showShape(expected)}`
      : expected.length === 1
        ? `${declare} and add \`flatten\`, or \`reshape(${showShape(expected)})\` first`
        : `${declare} and add \`reshape(${showShape(expected)})\` first`;
  ctx.diagnostics.report("MG2104", span, [facts.name, showShape(given), input.name, showShape(expected)], {
    hint,
  });
}

function csvHint(columns: NonNullable<DataFacts["columns"]>, input: InputDecl, declare: string): string {
  const features = columns.features;
  const shown = features.length > 8 ? `${features.slice(0, 8).join(", ")}, …` : features.join(", ");
  const besides = columns.label === undefined ? "" : ` besides '${columns.label}'`;
  return (
    `the file has ${features.length} feature column(s)${besides} (${shown}) and the input ` +
    `takes ${count(input.shape)} values: ${declare}, or give the file ${count(input.shape)} feature columns`
  );
}

/**
 * Text gives `[block]` character ids: the input must be `int32[block]` (an embedding then reads them). Both
 * mistakes are reported at the data source, with the two ways to agree.
 */
function checkFeedsTokens(input: InputDecl, facts: DataFacts, span: Span, ctx: PassContext): void {
  const block = facts.sampleShape[0]!;
  const declare = `declare \`input ${input.name}: int32[${block}]\``;
  const sameLength = input.shape.length === 1 && input.shape[0] === block;
  if (!sameLength) {
    const other = input.shape.length === 1 ? `, or write \`block: ${input.shape[0]}\`` : "";
    ctx.diagnostics.report(
      "MG2104",
      span,
      [facts.name, showShape(facts.sampleShape), input.name, showShape(input.shape)],
      {
        hint: `${declare}${other}`,
      },
    );
    return;
  }
  if (input.dtype !== "int32")
    ctx.diagnostics.report("MG2115", span, [facts.name, input.name, input.dtype ?? "float32"], {
      hint: declare,
    });
}

/**
 * Every character id must be a row of the embeddings that read the input (LANGUAGE.md: input_dim ≥ the
 * vocabulary size). Reported at the embedding, whose fix it is.
 */
function checkVocabulary(graph: Graph, source: ProbedSource, ctx: PassContext): void {
  const vocabulary = source.facts.vocabulary;
  if (vocabulary === undefined) return;
  for (const node of graph.nodes) {
    if (node.op !== "embedding" || !node.inputs.some((i) => graph.inputs.includes(i))) continue;
    const { input_dim: rows, output_dim: width } = attrsOf(node, "embedding");
    if (rows >= vocabulary) continue;
    ctx.diagnostics.report("MG2116", node.span, [source.facts.name, vocabulary, node.name, rows], {
      hint: `write \`embedding(${vocabulary}, ${width})\``,
    });
  }
}

/**
 * A validation text is read with the training text's ids (the runtime's rule): a character the training text
 * lacks has no id. Reported at the validation source.
 */
function checkValidationCharacters(sources: readonly ProbedSource[], ctx: PassContext): void {
  const [train, validation] = sources;
  const known = train?.facts.characters;
  const seen = validation?.facts.characters;
  if (known === undefined || seen === undefined) return;
  const has = new Set(known);
  const missing = seen.filter((c) => !has.has(c));
  if (missing.length === 0) return;
  const shown = missing
    .slice(0, 10)
    .map((c) => JSON.stringify(c))
    .join(", ");
  ctx.diagnostics.report("MG2118", validation!.span, [missing.length, shown, train!.facts.name], {
    hint: "validate on text written with the training text's characters, or use `validation: 0.1` (its end)",
  });
}

function fits(given: readonly number[], expected: readonly number[]): boolean {
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((d, i) => d === b[i]);
  return same(given, expected) || (expected[expected.length - 1] === 1 && same(given, expected.slice(0, -1)));
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
