/** Sums of a step, an epoch or an evaluation: the loss and each metric over `rows` samples. */
export interface ScoreSums {
  readonly lossSum: number;
  /** In the order of the run's metric names. */
  readonly metricSums: readonly number[];
  readonly rows: number;
}

/** Adds `b` into `a` (the epoch's running sums). */
export function addSums(a: ScoreSums, b: ScoreSums): ScoreSums {
  return {
    lossSum: a.lossSum + b.lossSum,
    metricSums: b.metricSums.map((s, i) => (a.metricSums[i] ?? 0) + s),
    rows: a.rows + b.rows,
  };
}

export const NO_SUMS: ScoreSums = { lossSum: 0, metricSums: [], rows: 0 };

/**
 * Keras-named means: `{ loss, accuracy, mae }`, or with `prefix` `val_` `{ val_loss, val_accuracy, val_mae }`,
 * every metric of the run under the name the `train` section gave it.
 */
export function metricLogs(names: readonly string[], sums: ScoreSums, prefix = ""): Record<string, number> {
  const n = Math.max(1, sums.rows);
  const logs: Record<string, number> = { [`${prefix}loss`]: sums.lossSum / n };
  names.forEach((name, i) => (logs[`${prefix}${name}`] = (sums.metricSums[i] ?? 0) / n));
  return logs;
}

const ACCURACIES = [
  "accuracy",
  "acc",
  "sparse_categorical_accuracy",
  "categorical_accuracy",
  "binary_accuracy",
];

/**
 * The metric the final line's `accuracy` (and `val_accuracy`) reports: `accuracy` when the run has it, else the
 * first named accuracy (`binary_accuracy`...); `null` (printed `n/a`) when the run has none.
 */
export function accuracyName(names: readonly string[]): string | null {
  if (names.includes("accuracy")) return "accuracy";
  return names.find((n) => ACCURACIES.includes(n)) ?? null;
}
