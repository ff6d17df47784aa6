/**
 * A data set in memory: samples back to back in one Float32Array (channels-last, no batch axis in
 * `sampleShape`), labels in another. Integer class labels are an Int32Array with `labelShape` `[]`.
 */
export interface Dataset {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly labelShape: readonly number[];
  /** Classes 0..numClasses-1 for integer labels; 0 when the labels are not classes. */
  readonly numClasses: number;
  /** For the start banner: `mnist (built-in digits)`, `idx(train-images…)`. */
  readonly description: string;
  /** Text: the characters whose ids the samples hold (id = index), saved with checkpoints for sampling. */
  readonly vocabulary?: readonly string[];
  /**
   * Samples are consecutive windows of one text: validation is the last windows (the end of the text), so that
   * nothing validated on was trained on, rather than a stratified draw.
   */
  readonly validationFromEnd?: boolean;
}

/** A slice of a data set, laid out like the data set. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
  readonly count: number;
}

export function sampleSize(ds: Pick<Dataset, "sampleShape">): number {
  return ds.sampleShape.reduce((a, b) => a * b, 1);
}

export function labelSize(ds: Pick<Dataset, "labelShape">): number {
  return ds.labelShape.reduce((a, b) => a * b, 1);
}
