import type { DataSource } from "../ir/config.js";
import type { DataProbe } from "./data-facts.js";
import { definedLabels } from "./label-tally.js";
import { probeCsv } from "./probe-csv.js";
import { probeIdx } from "./probe-idx.js";
import { probeText } from "./probe-text.js";

/** MNIST's images, built in: 28 × 28 with digit labels 0-9 (LANGUAGE.md). */
const MNIST_SHAPE = [28, 28] as const;
const MNIST_CLASSES = 10;

/**
 * What a `data:` source gives, learned cheaply at compile time: built-in sources by definition, files by their
 * headers and first rows (compiler/data-formats, the same parsing the runtime uses). `readLabels: false` when
 * the labels are not used (`target: input`). `inputShape` is what `synthetic` without `shape:` takes.
 */
export function probeData(
  source: DataSource,
  inputShape: readonly number[],
  options: { readonly readLabels: boolean },
): DataProbe {
  const labelsIf = <T>(labels: T) => (options.readLabels ? { labels } : {});
  switch (source.kind) {
    case "mnist":
      return {
        kind: "facts",
        facts: {
          name: "mnist",
          sampleShape: MNIST_SHAPE,
          flat: false,
          ...labelsIf(definedLabels(MNIST_CLASSES, "digit (0-9)", "mnist")),
        },
      };
    case "synthetic":
      return {
        kind: "facts",
        facts: {
          name: "synthetic",
          sampleShape: source.shape ?? inputShape,
          flat: false,
          ...labelsIf(
            definedLabels(
              source.classes,
              `class 0-${source.classes - 1}`,
              `synthetic(classes: ${source.classes})`,
            ),
          ),
        },
      };
    case "idx":
      return probeIdx(source.images, source.labels, options.readLabels);
    case "csv":
      return probeCsv(source.path, source.label, options.readLabels);
    case "text":
      return probeText(source, source.block);
    case "moby_dick":
      return probeText("moby_dick", source.block);
  }
}
