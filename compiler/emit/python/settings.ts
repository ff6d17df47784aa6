import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { DataSource, Optimizer, TrainingConfig } from "../../ir/config.js";
import type { Graph } from "../../ir/graph.js";
import { shapeOf } from "./shapes.js";
import { pyBool, pyFloat, pyNumber, pyString, pyTuple } from "./literals.js";
import { MNIST_IMAGES_FILE, MNIST_LABELS_FILE } from "./mnist-files.js";
import { MOBY_DICK_FILE } from "./moby-dick-file.js";
import { readsMnist, readsMobyDick } from "./prelude-data.js";

/**
 * The module-level constants both Python programs read: the resolved `train` section and the model input's
 * shape. Data paths are written relative to the `.model` file's folder (the program's `--data-dir`, by default
 * its own folder), so the output does not depend on where mgpuc ran. `MNIST_FILES` and `MOBY_DICK_FILE` only when it reads
 * them.
 */
export function settingsBlock(graph: Graph, training: TrainingConfig, modelFile: string): string {
  const input = graph.nodes[graph.inputs[0] ?? -1];
  const shape = input ? shapeOf(input) : [];
  const dtype = input?.dtype ?? "float32";
  const baseDir = dirname(resolve(modelFile));
  // target: input reads no labels: a CSV may then lack its label column (as the runtime's reader allows).
  const labels = training.target !== "input";
  const validation =
    typeof training.validation === "number"
      ? pyFloat(training.validation)
      : dataSource(training.validation, baseDir, labels);
  const accuracy = training.metrics.some((m) => m === "accuracy" || m === "acc");
  return [
    ...(readsMnist(training)
      ? [`MNIST_FILES = (${pyString(MNIST_IMAGES_FILE)}, ${pyString(MNIST_LABELS_FILE)})`]
      : []),
    ...(readsMobyDick(training) ? [`MOBY_DICK_FILE = ${pyString(MOBY_DICK_FILE)}`] : []),
    `DATA = ${training.data ? dataSource(training.data, baseDir, labels) : "None"}`,
    `VALIDATION = ${validation}`,
    `INPUT_SHAPE = ${pyTuple(shape)}`,
    `INPUT_DTYPE = ${pyString(dtype)}`,
    `LOSS = ${training.loss ? pyString(training.loss) : "None"}`,
    `INTEGER_LABELS = ${pyBool(training.loss === undefined || training.loss === "sparse_categorical_crossentropy")}`,
    `ACCURACY = ${pyBool(accuracy)}`,
    `OPTIMIZER = ${optimizer(training.optimizer)}`,
    `EPOCHS = ${pyNumber(training.epochs)}`,
    `BATCH_SIZE = ${pyNumber(training.batch)}`,
    `SEED = ${pyNumber(training.seed)}`,
  ].join("\n");
}

function dataSource(source: DataSource, baseDir: string, labels: boolean): string {
  const path = (p: string) => pyString(portable(p, baseDir));
  switch (source.kind) {
    case "mnist":
      return '{"kind": "mnist"}';
    case "idx":
      return `{"kind": "idx", "images": ${path(source.images)}, "labels": ${path(source.labels)}}`;
    case "csv":
      return `{"kind": "csv", "path": ${path(source.path)}, "label": ${pyString(source.label)}${labels ? "" : ', "needs_labels": False'}}`;
    case "text":
      return `{"kind": "text", "path": ${path(source.path)}, "block": ${pyNumber(source.block)}}`;
    case "moby_dick":
      return `{"kind": "moby_dick", "block": ${pyNumber(source.block)}}`;
    case "synthetic": {
      const shape = source.shape ? `[${source.shape.map(pyNumber).join(", ")}]` : "None";
      return `{"kind": "synthetic", "samples": ${pyNumber(source.samples)}, "classes": ${pyNumber(source.classes)}, "shape": ${shape}}`;
    }
  }
}

function portable(path: string, baseDir: string): string {
  const rel = isAbsolute(path) ? relative(baseDir, path) : path;
  return rel.split(sep).join("/");
}

function optimizer(o: Optimizer): string {
  switch (o.kind) {
    case "adam":
      return `{"kind": "adam", "lr": ${pyFloat(o.lr)}, "beta1": ${pyFloat(o.beta1)}, "beta2": ${pyFloat(o.beta2)}, "epsilon": ${pyFloat(o.epsilon)}}`;
    case "sgd":
      return `{"kind": "sgd", "lr": ${pyFloat(o.lr)}, "momentum": ${pyFloat(o.momentum)}, "nesterov": ${pyBool(o.nesterov)}}`;
    case "rmsprop":
      return `{"kind": "rmsprop", "lr": ${pyFloat(o.lr)}, "rho": ${pyFloat(o.rho)}, "epsilon": ${pyFloat(o.epsilon)}}`;
    case "adagrad":
      return `{"kind": "adagrad", "lr": ${pyFloat(o.lr)}, "initial_accumulator": ${pyFloat(o.initialAccumulator)}}`;
  }
}
