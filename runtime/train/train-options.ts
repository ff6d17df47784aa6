import type * as tf from "@tensorflow/tfjs";
import type { Backend as BackendPreference, TrainingConfig } from "../../compiler/ir/config.js";
import type { Plan } from "../../compiler/plan/index.js";
import type { Dataset } from "../data/index.js";

export interface TrainOptions {
  readonly model: tf.LayersModel;
  readonly modelName: string;
  readonly training: TrainingConfig;
  /** Else loaded from `training.data`, relative paths against `baseDir`. */
  readonly dataset?: Dataset;
  readonly devices: number;
  /** Stop once the optimizer has taken this many steps in total, counted from the start (across resumes). */
  readonly steps?: number;
  readonly epochs?: number;
  readonly seed?: number;
  /** Global batch. */
  readonly batch?: number;
  /** Checkpoint folder (`runs/<Model>` by the CLI); `null` or absent = no checkpoints. */
  readonly saveDir?: string | null;
  /** A run folder or checkpoint folder to continue from. */
  readonly resume?: string;
  readonly json?: boolean;
  readonly baseDir: string;
  /** Receives output text (newlines included); default stdout. */
  readonly out?: (chunk: string) => void;
  /** Redraw a progress bar; default: stdout is a TTY. */
  readonly tty?: boolean;
  /** What the devices run; `webgpu` implies one process per device. */
  readonly backend?: BackendPreference;
  /** Devices as worker threads (default) or one child process each (`--transport`); GPUs imply process. */
  readonly transport?: "thread" | "process";
  /** `webgpu`: the adapters the device processes are pinned to, by name, ranks taking them in turn. */
  readonly webgpuAdapters?: readonly string[];
  /**
   * The compiled plan. When some layer is split (model degree > 1) or pipelined (stage > 0) it runs as planned
   * on its own devices (runtime/plan-exec); otherwise data-parallel on `devices`.
   */
  readonly plan?: Plan;
  /** Shown in the start banner. */
  readonly strategy?: string;
  /**
   * Stop early (the CLI aborts it on SIGINT / SIGTERM): training stops at the next step boundary, saves a
   * checkpoint of that step, prints `interrupted at step N; kept DIR` and rejects with `Interrupted`.
   */
  readonly signal?: AbortSignal;
  /** Drills and tests: device `device` is killed while step `atStep` (1-based) runs. */
  readonly faultInjection?: { readonly killDevice: number; readonly atStep: number };
}
