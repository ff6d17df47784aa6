import path from "node:path";
import type { DataSource, Target } from "../../compiler/ir/config.js";
import { loadCsv } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { loadIdx } from "./idx.js";
import { inputAsTarget } from "./input-as-target.js";
import { loadMnist } from "./mnist.js";
import { loadSynthetic } from "./synthetic.js";
import { loadText } from "./text.js";

export interface LoadOptions {
  /** The model input's per-sample shape; the data set is shaped to it (or a DataError says why it can't be). */
  readonly inputShape: readonly number[];
  /** Relative paths in the source are resolved against this folder (the `.model` file's). */
  readonly baseDir: string;
  /** Fixes `synthetic` data; default 0. */
  readonly seed?: number;
  /**
   * `input` (`target: input`): the labels are a copy of the samples, and the source's own labels are not read
   * (an IDX label file is left alone, a CSV needs no label column).
   */
  readonly target?: Target;
  /**
   * Text: read the characters as ids of this vocabulary (the training text's, or a checkpoint's) rather than
   * the text's own, so a separate validation text or an evaluated one means what the model learned; a
   * character outside it is a `DataError`.
   */
  readonly vocabulary?: readonly string[];
}

/** Loads a `data:` source into memory. Unreadable or mismatched data rejects with a `DataError`. */
export async function loadDataset(source: DataSource, options: LoadOptions): Promise<Dataset> {
  if (options.target !== "input") return loadSource(source, options);
  return inputAsTarget(await loadSource(source, options));
}

function loadSource(source: DataSource, options: LoadOptions): Promise<Dataset> | Dataset {
  const resolve = (file: string): string => path.resolve(options.baseDir, file);
  const labels = { labels: options.target !== "input" };
  switch (source.kind) {
    case "mnist":
      return loadMnist(options.inputShape);
    case "idx":
      return loadIdx(resolve(source.images), resolve(source.labels), options.inputShape, labels);
    case "csv":
      return loadCsv(resolve(source.path), source.label, options.inputShape, labels);
    case "text":
      return loadText({ path: resolve(source.path) }, source.block, options.inputShape, options.vocabulary);
    case "moby_dick":
      return loadText("moby_dick", source.block, options.inputShape, options.vocabulary);
    case "synthetic":
      return loadSynthetic(
        source.samples,
        source.classes,
        source.shape,
        options.inputShape,
        options.seed ?? 0,
      );
  }
}
