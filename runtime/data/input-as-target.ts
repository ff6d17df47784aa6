import type { Dataset } from "./dataset.js";

/**
 * `target: input` (LANGUAGE.md): the model learns to reproduce its input, Keras's `fit(x, x)`. The labels become a
 * copy of the samples, shaped like them, so every engine (data-parallel replicas, the plan executor, evaluate)
 * compares the output with the input through its usual label path. The source's own labels are dropped.
 */
export function inputAsTarget(ds: Dataset): Dataset {
  return {
    ...ds,
    y: ds.x.slice(),
    labelShape: ds.sampleShape,
    numClasses: 0,
    description: `${ds.description}, target: input`,
  };
}
