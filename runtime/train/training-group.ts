import type * as tf from "@tensorflow/tfjs";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import type { Dataset } from "../data/index.js";
import type { ScoreSums } from "../report/index.js";
import type { NamedArray } from "../worker/optimizer.js";
import type { BackendPreference } from "../backend/init-backend.js";

/** What every engine starts from; each adds its placement (a device count, or a plan). */
export interface TrainingGroupOptions {
  /** The whole model in the 1-device layout, its initial weights set. */
  readonly model: tf.LayersModel;
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  /** Metrics scored with the loss (resolve-config's names); default none. */
  readonly metrics?: readonly string[];
  /** Keys the dropout masks. */
  readonly seed: number;
  readonly train: Dataset;
  readonly validation?: Dataset | null;
  /** A 1-device optimizer state to continue from (`resume`), as `exportOptimizerState` names it. */
  readonly optimizerState?: readonly NamedArray[];
  readonly backend?: BackendPreference;
  /** Worker threads (default) or one child process per device; `gpu` pins each process to its GPU. */
  readonly transport?: "thread" | "process";
  readonly gpu?: boolean;
  /** WebGPU device processes: the adapter each rank is pinned to, by name, ranks taking them in turn. */
  readonly webgpuAdapters?: readonly string[];
}

/** The whole model's weights (in `model.getWeights()` order, 1-device layout) and optimizer state. */
export interface TrainingState {
  readonly weights: Float32Array[];
  readonly optimizerState: NamedArray[];
}

/**
 * The devices of a run stepping together, whatever engine drives them: `DataParallelGroup` (replicas of a
 * model) or `PlanGroup` (a compiled plan as placed). `runEpochs`, `trainModel` and `MirroredStrategy` talk
 * only to this.
 */
export interface TrainingGroup {
  /** The tfjs backend the devices run (`wasm`, `cpu`, `tensorflow`). */
  readonly backend: string;
  readonly devices: number;
  /** One optimizer step over the global batch `indices` (data set rows, in order): its loss and metric sums. */
  step(step: number, indices: Uint32Array): Promise<ScoreSums>;
  /** Loss and metric sums over the validation set, `batch` rows at a time. */
  evaluate(batch: number): Promise<ScoreSums>;
  state(): Promise<TrainingState>;
  /** Fault injection for tests and drills: stops `device` the way a crash would. */
  kill(device: number): void;
  close(): Promise<void>;
}
