import type { Span } from "../diagnostics/span.js";
import type { DataSource, TrainingConfig } from "../ir/config.js";
import type { Graph, IRNode } from "../ir/graph.js";
import { showShape } from "../ops/index.js";
import type { PassContext } from "./context.js";

/** MNIST's images, from the built-in set or IDX files, are 28 × 28 with integer labels 0-9. */
const MNIST_SHAPE = [28, 28] as const;

/**
 * Checks the model against its training data before anything runs: the data's per-sample shape must equal the
 * input's, or equal it up to a trailing axis of size 1 (the loader adds that axis); and the loss must fit the
 * output and the labels. This is what turns the seed's bug (784 inputs fed 28 × 28 images) into a compile error.
 */
export function checkData(graph: Graph, training: TrainingConfig, ctx: PassContext): void {
  const data = training.data;
  if (!data && !training.loss) return;
  const where = training.spans.data ?? training.spans.loss ?? graph.span;
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    const counts = `${graph.inputs.length} input(s) and ${graph.outputs.length} output(s)`;
    ctx.diagnostics.report("MG2109", where, [graph.model, counts]);
    return;
  }
  const input = graph.nodes[graph.inputs[0]!];
  const output = graph.nodes[graph.outputs[0]!];
  if (!input || !output?.outputShape) return;
  checkInputData(
    { name: input.name, shape: input.attrs["shape"] as readonly number[], span: input.span },
    training,
    ctx,
  );
  if (training.loss) checkLoss(output, training, ctx);
}

/**
 * The data half of `checkData`, which needs only the input's declaration. The pipeline also runs it when the
 * front end found errors elsewhere, so one run reports both a typo and the data mismatch (EXAMPLES.md).
 */
export function checkInputData(
  input: { readonly name: string; readonly shape: readonly number[]; readonly span: Span },
  training: TrainingConfig,
  ctx: PassContext,
): void {
  if (training.data) checkInput(input, training.data, training.spans.data ?? input.span, ctx);
  if (typeof training.validation !== "number") {
    checkInput(input, training.validation, training.spans.validation ?? input.span, ctx);
  }
}

function sampleShape(data: DataSource): readonly number[] | undefined {
  switch (data.kind) {
    case "mnist":
    case "idx":
      return MNIST_SHAPE;
    case "synthetic":
      return data.shape;
    case "csv":
      // Its width is known only by reading the file, which compiling does not do.
      return undefined;
  }
}

function checkInput(
  input: { readonly name: string; readonly shape: readonly number[] },
  data: DataSource,
  span: Span,
  ctx: PassContext,
): void {
  const given = sampleShape(data);
  const expected = input.shape;
  if (!given || fits(given, expected)) return;
  const name = input.name;
  const declare = `declare \`input ${name}: ${showShape(given)}\``;
  const sameSize = count(given) === count(expected);
  const hint = !sameSize
    ? `${declare}, or feed data of shape ${showShape(expected)}`
    : expected.length === 1
      ? `${declare} and add \`flatten\`, or \`reshape(${showShape(expected)})\` first`
      : `${declare} and add \`reshape(${showShape(expected)})\` first`;
  ctx.diagnostics.report("MG2104", span, [dataName(data), showShape(given), name, showShape(expected)], {
    hint,
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

function dataName(data: DataSource): string {
  return data.kind;
}

function checkLoss(output: IRNode, training: TrainingConfig, ctx: PassContext): void {
  const loss = training.loss!;
  const span = training.spans.loss ?? output.span;
  const shape = output.outputShape!;
  const data = training.data;
  const labelled = data?.kind === "mnist" || data?.kind === "idx";
  if (loss === "sparse_categorical_crossentropy" || loss === "categorical_crossentropy") {
    const classes = shape.length === 1 ? shape[0]! : 0;
    if (classes < 2) {
      ctx.diagnostics.report("MG2105", span, [loss, output.name, showShape(shape)], {
        hint: "end the model with `dense(CLASSES, activation: softmax)`",
      });
      return;
    }
    if (loss === "categorical_crossentropy" && labelled) {
      ctx.diagnostics.report("MG2108", span, [loss, "one-hot", data.kind, "integer"], {
        hint: "use `loss: sparse_categorical_crossentropy` for integer labels",
      });
    }
    if (labelled && classes !== 10) {
      ctx.diagnostics.report("MG2107", training.spans.data ?? span, [10, output.name, classes], {
        hint: "MNIST has 10 classes: end the model with `dense(10, activation: softmax)`",
      });
    }
    if (data?.kind === "synthetic" && data.classes !== classes) {
      ctx.diagnostics.report("MG2107", training.spans.data ?? span, [data.classes, output.name, classes], {
        hint: `write \`synthetic(classes: ${classes})\``,
      });
    }
  } else if (loss === "binary_crossentropy") {
    if (shape[shape.length - 1] !== 1) {
      ctx.diagnostics.report("MG2106", span, [output.name, showShape(shape)], {
        hint: "end the model with `dense(1, activation: sigmoid)`",
      });
    } else if (labelled) {
      ctx.diagnostics.report("MG2108", span, [loss, "0/1", data.kind, "digit (0-9)"]);
    }
  }
}
