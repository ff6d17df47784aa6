export type { Dataset, Batch } from "./dataset.js";
export { sampleSize, labelSize } from "./dataset.js";
export { DataError } from "./data-error.js";
export { loadDataset, type LoadOptions } from "./load-dataset.js";
export { splitValidation, epochOrder, permutation } from "./split.js";
export { gatherBatch } from "./batch.js";
export { inputAsTarget } from "./input-as-target.js";
export { CounterRandom } from "./counter-random.js";
export { readIdx } from "./idx.js";
