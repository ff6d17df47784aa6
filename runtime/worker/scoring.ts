import * as tf from "@tensorflow/tfjs";
import type { Loss } from "../../compiler/ir/config.js";
import { LabelShapeError, labelMismatch } from "./labels.js";
import { LOSS_LABELS, perSampleLoss } from "./losses.js";
import { METRIC_LABELS, type Metric, perSampleMetric, resolveMetrics } from "./metrics.js";

/**
 * The loss and metrics of a run, against one model output: what every engine (replica, plan stage, validation,
 * `mgpuc evaluate`) scores a batch with. Sums travel between devices as `[loss, ...metrics]`; a mean is a sum ÷
 * the rows it covers.
 */
export class Scoring {
  readonly metrics: readonly Metric[];

  constructor(
    readonly loss: Loss,
    metricNames: readonly string[],
    /** The model output's per-sample shape. */
    readonly outputShape: readonly number[],
  ) {
    this.metrics = resolveMetrics(metricNames, loss, outputShape);
  }

  /** Loss plus one per metric: the length of a sums vector. */
  get width(): number {
    return 1 + this.metrics.length;
  }

  /**
   * Throws a LabelShapeError when labels of `labelShape` per sample (class ids when `integer`) fit the loss or a
   * metric in neither form, before any step runs.
   */
  checkLabels(labelShape: readonly number[], integer: boolean): void {
    const uses = [
      { form: LOSS_LABELS[this.loss], what: `loss ${this.loss}` },
      ...this.metrics.map((m) => ({ form: METRIC_LABELS[m.kind], what: `metric ${m.name}` })),
    ];
    for (const { form, what } of uses) {
      const why = labelMismatch(form, labelShape, integer, this.outputShape, what);
      if (why !== null) throw new LabelShapeError(why);
    }
  }

  /**
   * `checkLabels` for the data sets a run trains and validates on, against `model`'s output: called before any
   * device starts, so a mismatch is one message, not one per device at its first step.
   */
  static checkData(
    model: tf.LayersModel,
    loss: Loss,
    metrics: readonly string[],
    data: readonly ({ labelShape: readonly number[]; y: Int32Array | Float32Array } | null | undefined)[],
  ): void {
    const scoring = new Scoring(
      loss,
      metrics,
      model.outputs[0]!.shape.slice(1).map((d) => d ?? 1),
    );
    for (const d of data) if (d) scoring.checkLabels(d.labelShape, d.y instanceof Int32Array);
  }

  /** Per-sample loss and metrics `[B]` each. */
  perSample(yTrue: tf.Tensor, yPred: tf.Tensor): { loss: tf.Tensor1D; metrics: tf.Tensor1D[] } {
    return {
      loss: perSampleLoss(this.loss, yTrue, yPred),
      metrics: this.metrics.map((m) => perSampleMetric(m.kind, yTrue, yPred)),
    };
  }

  /** `[Σ loss, ...Σ metric]` over the batch, as a tensor (for backends that read back only asynchronously). */
  sumsTensor(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const { loss, metrics } = this.perSample(yTrue, yPred);
      return tf.stack([loss, ...metrics].map((t) => tf.sum(t))) as tf.Tensor1D;
    });
  }

  /** `[Σ loss, ...Σ metric]` over the batch, read back as numbers. */
  sums(yTrue: tf.Tensor, yPred: tf.Tensor): number[] {
    return tf.tidy(() => Array.from(this.sumsTensor(yTrue, yPred).dataSync()));
  }
}
