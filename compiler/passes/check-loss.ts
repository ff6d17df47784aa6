import type { Span } from "../diagnostics/span.js";
import type { DataFacts, LabelFacts } from "../data-probe/data-facts.js";
import type { TrainingConfig } from "../ir/config.js";
import type { IRNode } from "../ir/graph.js";
import { showShape } from "../ops/index.js";
import type { InputDecl } from "./check-data.js";
import type { PassContext } from "../diagnostics/pass-context.js";

/** A data source as read at compile time, and the span of its value in the train section. */
export interface ProbedSource {
  readonly facts: DataFacts;
  readonly span: Span;
}

/**
 * `target: input`: the loss compares the output with the input, so the output must be shaped like the input
 * (LANGUAGE.md). Reported at the `target:` value.
 */
export function checkTarget(
  input: InputDecl,
  output: IRNode,
  training: TrainingConfig,
  ctx: PassContext,
): void {
  const shape = output.outputShape!;
  if (sameShape(shape, input.shape)) return;
  const want = showShape(input.shape);
  const hint =
    count(shape) === count(input.shape)
      ? `end the model with \`reshape(${want})\``
      : input.shape.length === 1
        ? `end the model with \`dense(${count(input.shape)})\``
        : `end the model with \`dense(${count(input.shape)})\` and \`reshape(${want})\``;
  ctx.diagnostics.report(
    "MG2112",
    training.spans.target ?? output.span,
    [output.name, showShape(shape), input.name, want],
    { hint },
  );
}

/**
 * The loss must fit the output and what it is compared with. Every data source gives one label per sample:
 * sparse and categorical cross-entropy need a [classes] output and class indices below `classes` (the runtime
 * one-hots them for the categorical form); binary cross-entropy one output value and labels 0/1; mse and mae
 * one output value, since they compare the output element by element with the label (a class id against a
 * 10-way softmax is a classifier trained as a regression: use a cross-entropy). With `target: input` the
 * labels are the input, checked by `checkTarget`.
 */
export function checkLoss(
  input: InputDecl,
  output: IRNode,
  training: TrainingConfig,
  sources: readonly ProbedSource[],
  ctx: PassContext,
): void {
  const loss = training.loss!;
  const span = training.spans.loss ?? output.span;
  const shape = output.outputShape!;
  if (training.target === "input") {
    if (loss === "sparse_categorical_crossentropy")
      ctx.diagnostics.report("MG2113", span, [loss], {
        hint: "use `loss: mse`, or `loss: binary_crossentropy` for inputs in [0, 1]",
      });
    return;
  }
  const labelled = sources.flatMap((s) => (s.facts.labels ? [{ ...s, labels: s.facts.labels }] : []));
  switch (loss) {
    case "sparse_categorical_crossentropy":
    case "categorical_crossentropy": {
      // Text labels one class per position ([T]): the output scores every position, [T, classes].
      // (From the source's settings when the text itself could not be read: that was reported already.)
      const positions =
        labelled.find((l) => l.facts.labelShape !== undefined)?.facts.labelShape ??
        (training.data?.kind === "text" || training.data?.kind === "moby_dick"
          ? [training.data.block]
          : undefined);
      // Windows that do not fit the input were reported (MG2104): one mistake, one diagnostic.
      if (positions !== undefined && !sameShape(positions, input.shape)) return;
      if (positions !== undefined) {
        const want = `[${[...positions, "classes"].join(", ")}]`;
        const fits = shape.length === positions.length + 1 && positions.every((d, i) => shape[i] === d);
        if (!fits) {
          ctx.diagnostics.report("MG2117", span, [loss, output.name, want, showShape(shape)], {
            hint: "end the model with `dense(VOCABULARY, activation: softmax)` applied to every position",
          });
          return;
        }
      }
      const classes = shape.length === (positions?.length ?? 0) + 1 ? shape.at(-1)! : 0;
      if (classes < 2) {
        ctx.diagnostics.report("MG2105", span, [loss, output.name, showShape(shape)], {
          hint: "end the model with `dense(CLASSES, activation: softmax)`",
        });
        return;
      }
      // Categorical cross-entropy takes the same class ids: the runtime one-hots them (runtime/train/labels.ts).
      for (const source of labelled) checkClassLabels(loss, source, output, classes, ctx);
      return;
    }
    case "binary_crossentropy":
      if (shape[shape.length - 1] !== 1) {
        ctx.diagnostics.report("MG2106", span, [output.name, showShape(shape)], {
          hint: "end the model with `dense(1, activation: sigmoid)`",
        });
        return;
      }
      if (!oneValue(loss, input, output, span, ctx)) return;
      for (const { facts, labels } of labelled) {
        if (!labels.notBinary) continue;
        ctx.diagnostics.report("MG2108", span, [loss, "0/1", facts.name, labels.summary], {
          hint: notBinaryHint(facts.name, labels),
        });
      }
      return;
    case "mse":
    case "mae":
      oneValue(loss, input, output, span, ctx, labelled[0]?.labels);
      return;
  }
}

function notBinaryHint(name: string, labels: LabelFacts): string {
  if (labels.notClass)
    return "binary cross-entropy needs labels 0 or 1; for a regression target use `loss: mse`";
  const classes = labels.definedClasses ?? labels.max.value + 1;
  const fix = `use \`loss: sparse_categorical_crossentropy\` with \`dense(${classes}, activation: softmax)\``;
  return labels.definedClasses !== undefined
    ? `${name} has ${classes} classes: ${fix}`
    : `label ${labels.notBinary!.value} is at ${labels.notBinary!.at}: for classes 0-${classes - 1} ${fix}`;
}

/** Sparse labels: class indices, every one below the output's class count. Reported at the source's value. */
function checkClassLabels(
  loss: string,
  source: ProbedSource & { labels: LabelFacts },
  output: IRNode,
  classes: number,
  ctx: PassContext,
): void {
  const { facts, labels, span } = source;
  if (labels.notClass) {
    ctx.diagnostics.report("MG2108", span, [loss, "integer class", facts.name, labels.summary], {
      hint: "for a regression target use `loss: mse` with `dense(1)`",
    });
    return;
  }
  if (labels.definedClasses !== undefined) {
    if (labels.definedClasses === classes) return;
    const n = labels.definedClasses;
    const hint =
      facts.name === "synthetic"
        ? `write \`synthetic(classes: ${classes})\`, or end the model with \`dense(${n}, activation: softmax)\``
        : `${facts.name} has ${n} classes: end the model with \`dense(${n}, activation: softmax)\``;
    ctx.diagnostics.report("MG2107", span, [n, output.name, classes], { hint });
    return;
  }
  // Fewer classes in the labels than the output has is fine (a subset); a label past the last class is not.
  if (labels.max.value < classes) return;
  const seen = labels.max.value + 1;
  ctx.diagnostics.report(
    "MG2107",
    span,
    [labels.complete ? seen : `at least ${seen}`, output.name, classes],
    {
      hint: `label ${labels.max.value} is at ${labels.max.at}: end the model with \`dense(${seen}, activation: softmax)\``,
    },
  );
}

/**
 * Losses that compare the output element by element with a label of one value need an output of one value per
 * sample. False (and an error) when it has more.
 */
function oneValue(
  loss: string,
  input: InputDecl,
  output: IRNode,
  span: Span,
  ctx: PassContext,
  labels?: LabelFacts,
): boolean {
  const shape = output.outputShape!;
  const values = count(shape);
  if (values === 1) return true;
  const hint = sameShape(shape, input.shape)
    ? "to reproduce the input (an autoencoder), add `target: input` to the train section"
    : labels && !labels.notClass && shape.length === 1
      ? "for class labels use `loss: sparse_categorical_crossentropy`; to predict one number, end the model with `dense(1)`"
      : "end the model with `dense(1)` to predict one number per sample";
  ctx.diagnostics.report("MG2114", span, [loss, output.name, showShape(shape), values], { hint });
  return false;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
