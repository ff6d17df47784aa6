import path from "node:path";
import type { DataSource } from "../../compiler/ir/config.js";
import { loadCsv } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { loadIdx } from "./idx.js";
import { loadMnist } from "./mnist.js";
import { loadSynthetic } from "./synthetic.js";

export interface LoadOptions {
  /** The model input's per-sample shape; the data set is shaped to it (or a DataError says why it can't be). */
  readonly inputShape: readonly number[];
  /** Relative paths in the source are resolved against this folder (the `.model` file's). */
  readonly baseDir: string;
  /** Fixes `synthetic` data; default 0. */
  readonly seed?: number;
}

/** Loads a `data:` source into memory. Unreadable or mismatched data rejects with a `DataError`. */
export async function loadDataset(source: DataSource, options: LoadOptions): Promise<Dataset> {
  const resolve = (file: string): string => path.resolve(options.baseDir, file);
  switch (source.kind) {
    case "mnist":
      return loadMnist(options.inputShape);
    case "idx":
      return loadIdx(resolve(source.images), resolve(source.labels), options.inputShape);
    case "csv":
      return loadCsv(resolve(source.path), source.label, options.inputShape);
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
