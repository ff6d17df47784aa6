/**
 * What a training run ends with: the fields of CLI.md's `final:` line and of the last `--json` event.
 * `null` = the metric was not computed (no `accuracy` in the file's metrics, no validation data, fewer than six
 * steps to time), printed `n/a`.
 */
export interface FinalMetrics {
  readonly loss: number | null;
  readonly accuracy: number | null;
  readonly valLoss?: number | null;
  readonly valAccuracy: number | null;
  /** Samples trained ÷ wall time of the steps after the first five. */
  readonly samplesPerS: number | null;
  /** L2 norm of all trainable weights (see `weightsL2`). */
  readonly weightsL2: number;
  /** Optimizer steps taken in total, across resumes. */
  readonly steps?: number;
  /** The plan's predicted step (its cost model, its profile), when the run trains the batch it was planned for. */
  readonly predictedStepMs?: number | null;
  /** The step measured over the same steps as `samplesPerS`: global batch ÷ samples/s. */
  readonly measuredStepMs?: number | null;
}

function metric(value: number | null | undefined): string {
  if (value === null || value === undefined) return "n/a";
  if (!Number.isFinite(value)) return String(value).toLowerCase();
  return value.toFixed(4);
}

function rate(value: number | null): string {
  if (value === null) return "n/a";
  if (!Number.isFinite(value)) return String(value).toLowerCase();
  // Whole samples per second are precise enough for a throughput; tiny rates keep three significant digits.
  return value >= 100 ? Math.round(value).toString() : value.toPrecision(3);
}

/** `final: loss=… accuracy=… val_accuracy=… samples_per_s=… weights_l2=…` (CLI.md), one line, no newline. */
export function formatFinalLine(r: FinalMetrics): string {
  return (
    `final: loss=${metric(r.loss)} accuracy=${metric(r.accuracy)} val_accuracy=${metric(r.valAccuracy)}` +
    ` samples_per_s=${rate(r.samplesPerS)} weights_l2=${r.weightsL2.toPrecision(9)}`
  );
}

/** The `final` `--json` event: the final line's fields under their CLI names. */
export function finalEvent(r: FinalMetrics): Record<string, unknown> {
  return {
    event: "final",
    loss: r.loss,
    accuracy: r.accuracy,
    val_loss: r.valLoss ?? null,
    val_accuracy: r.valAccuracy,
    samples_per_s: r.samplesPerS,
    weights_l2: Number(r.weightsL2.toPrecision(9)),
    ...(r.steps === undefined ? {} : { steps: r.steps }),
    ...(r.predictedStepMs === undefined ? {} : { predicted_step_ms: r.predictedStepMs }),
    ...(r.measuredStepMs === undefined ? {} : { measured_step_ms: r.measuredStepMs }),
  };
}

/**
 * `step: predicted 8.08 ms, measured 5.28 ms (measured / predicted 0.65)`: whether the plan told the truth about
 * this run; null when either is unknown (too few steps to time, no plan).
 */
export function formatStepLine(r: FinalMetrics): string | null {
  const { predictedStepMs: p, measuredStepMs: m } = r;
  if (p === undefined || p === null || m === undefined || m === null) return null;
  // Three significant digits, never an exponent: 8.08 ms, 744 ms, 1,080 ms.
  const ms = (x: number) =>
    `${x >= 1000 ? Math.round(Number(x.toPrecision(3))).toLocaleString("en-US") : x.toPrecision(3)} ms`;
  return `step: predicted ${ms(p)}, measured ${ms(m)} (measured / predicted ${(m / p).toFixed(2)})`;
}
