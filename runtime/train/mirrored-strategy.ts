import * as tf from "@tensorflow/tfjs";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import { type Dataset, epochOrder } from "../data/index.js";
import { NO_SUMS, addSums, metricLogs } from "../report/index.js";
import { DataParallelGroup } from "./data-parallel-group.js";
import { batchesPerEpoch } from "./run-epochs.js";

export interface MirroredStrategyOptions {
  /** Worker-thread devices (replicas). */
  readonly devices: number;
  readonly backend?: "auto" | "wasm" | "cpu";
}

export interface MirroredFitOptions {
  readonly loss: Loss;
  /** Keras's `compile` metrics (`accuracy`, `mae`, ... as in a `train` section); default none. */
  readonly metrics?: readonly string[];
  /** Default: Keras's `sgd` (lr 0.01). */
  readonly optimizer?: Optimizer;
  readonly epochs?: number;
  /** Global batch, split over the replicas. Default 32. */
  readonly batchSize?: number;
  /** Fixes the shuffle order and dropout masks. Default 0. */
  readonly seed?: number;
  readonly onEpochEnd?: (epoch: number, logs: Readonly<Record<string, number>>) => void;
}

/** Keras's `History.history`: per epoch, the mean loss and each metric over the epoch's samples. */
export interface MirroredHistory {
  readonly loss: number[];
  readonly [metric: string]: number[];
}

function toDataset(x: tf.Tensor, y: tf.Tensor): Dataset {
  const count = x.shape[0]!;
  const yData = y.dtype === "int32" ? Int32Array.from(y.dataSync()) : Float32Array.from(y.dataSync());
  return {
    x: Float32Array.from(x.dataSync()),
    y: yData,
    count,
    sampleShape: x.shape.slice(1),
    labelShape: y.shape.slice(1),
    numClasses: 0,
    description: "tensors",
  };
}

/**
 * tf.distribute.MirroredStrategy for TensorFlow.js: `fit` trains a LayersModel on N worker-thread replicas with
 * synchronized gradients, batchnorm and dropout (the same machinery as `mgpuc train`), then leaves the trained
 * weights in the model.
 *
 *     const strategy = new MirroredStrategy({ devices: 2 });
 *     await strategy.fit(model, xs, ys, { loss: "sparse_categorical_crossentropy", epochs: 5 });
 */
export class MirroredStrategy {
  constructor(readonly options: MirroredStrategyOptions) {}

  async fit(
    model: tf.LayersModel,
    x: tf.Tensor,
    y: tf.Tensor,
    fit: MirroredFitOptions,
  ): Promise<MirroredHistory> {
    const train = toDataset(x, y);
    const seed = fit.seed ?? 0;
    const batch = fit.batchSize ?? 32;
    const group = await DataParallelGroup.start({
      model,
      devices: this.options.devices,
      optimizer: fit.optimizer ?? { kind: "sgd", lr: 0.01, momentum: 0, nesterov: false },
      loss: fit.loss,
      metrics: fit.metrics ?? [],
      seed,
      train,
      backend: this.options.backend ?? "auto",
    });
    const names = fit.metrics ?? [];
    const history: Record<string, number[]> = { loss: [] };
    for (const name of names) history[name] = [];
    try {
      let step = 0;
      const perEpoch = batchesPerEpoch(train.count, batch, this.options.devices);
      for (let epoch = 0; epoch < (fit.epochs ?? 1); epoch++) {
        const order = epochOrder(train.count, seed, epoch);
        let sums = NO_SUMS;
        for (let b = 0; b < perEpoch; b++) {
          const indices = order.slice(b * batch, Math.min(train.count, (b + 1) * batch));
          sums = addSums(sums, await group.step(step++, indices));
        }
        const logs = metricLogs(names, sums);
        for (const [name, value] of Object.entries(logs)) history[name]!.push(value);
        fit.onEpochEnd?.(epoch, logs);
      }
      const { weights } = await group.state();
      const tensors = weights.map((w, i) => tf.tensor(w, model.weights[i]!.shape as number[]));
      model.setWeights(tensors);
      tf.dispose(tensors);
      return history as MirroredHistory;
    } finally {
      await group.close();
    }
  }
}
