import { abortShared, createSharedLayout } from "../collectives/index.js";
import { type DeviceGroup, repliesOf, startDevices } from "../devices/index.js";
import { Scoring } from "../worker/scoring.js";
import { shareDataset } from "../worker/shared-dataset.js";
import { packShared } from "../worker/shared-arrays.js";
import { readyDevices } from "../worker/ready-devices.js";
import type { StepDone } from "../worker/protocol.js";
import type { TrainingGroup, TrainingGroupOptions } from "./training-group.js";
import type {
  EvaluateReply,
  FromWorker,
  InitMessage,
  OptimizerSharding,
  StateReply,
  ToWorker,
} from "./protocol.js";

/** Every device runs this module, on threads and processes alike. */
const ENTRY = { base: import.meta.url, relative: "./replica-entry" };

export interface GroupOptions extends TrainingGroupOptions {
  /** Replicas of `model`. */
  readonly devices: number;
  /** Floats per all-reduce bucket. */
  readonly bucket?: number;
  /** ZeRO-1 (`zero-1`) or not (default); one device always updates everything. */
  readonly optimizerSharding?: OptimizerSharding;
}

/**
 * N replicas of one model on N devices (worker threads or device processes), stepping together: the
 * data-parallel engine under `trainModel` and `MirroredStrategy`.
 */
export class DataParallelGroup implements TrainingGroup {
  private constructor(
    private readonly pool: DeviceGroup<ToWorker, FromWorker>,
    readonly backend: string,
  ) {}

  static async start(options: GroupOptions): Promise<DataParallelGroup> {
    Scoring.checkData(options.model, options.loss, options.metrics ?? [], [
      options.train,
      options.validation,
    ]);
    const bucket = options.bucket ?? 1 << 20;
    // Threads share the all-reduce buffers; processes reduce over their pipes.
    const layout = options.transport === "process" ? null : createSharedLayout(options.devices, bucket);
    const pool = startDevices<ToWorker, FromWorker>({
      devices: Array.from({ length: options.devices }, (_, rank) => rank),
      entry: ENTRY,
      transport: options.transport,
      gpu: options.gpu,
      webgpuAdapters: options.webgpuAdapters,
      bucket,
      onAbort: () => {
        if (layout) abortShared(layout);
      },
    });
    const topology = options.model.toJSON(null, false);
    const train = shareDataset(options.train);
    const validation = options.validation ? shareDataset(options.validation) : null;
    const weights = packShared(options.model.getWeights().map((t) => t.dataSync() as Float32Array));
    const state = options.optimizerState ?? [];
    const optimizerData = packShared(state.map((s) => s.data));
    const optimizerSlots = state.map(({ name, shape }) => ({ name, shape }));
    const backend = await readyDevices(pool, (rank): InitMessage => ({
      type: "init",
      rank,
      layout,
      topology,
      weights,
      optimizer: options.optimizer,
      optimizerSlots,
      optimizerData,
      loss: options.loss,
      metrics: options.metrics ?? [],
      seed: options.seed,
      train,
      validation,
      backend: options.backend ?? "auto",
      optimizerSharding: options.optimizerSharding ?? "replicated",
    }));
    return new DataParallelGroup(pool, backend);
  }

  get devices(): number {
    return this.pool.devices.length;
  }

  /** One optimizer step over the global batch `indices` (data set rows, in order). */
  async step(step: number, indices: Uint32Array): Promise<StepDone> {
    const replies = await this.pool.request(() => ({ type: "step", step, indices }));
    return repliesOf(replies, "stepDone")[0]!;
  }

  async evaluate(batch: number): Promise<EvaluateReply> {
    return repliesOf(await this.pool.request(() => ({ type: "evaluate", batch })), "evaluated")[0]!;
  }

  /** Weights (in `model.getWeights()` order) and optimizer state: identical on every replica, read from 0. */
  async state(): Promise<StateReply> {
    return repliesOf(await this.pool.request(() => ({ type: "state" })), "state")[0]!;
  }

  kill(device: number): void {
    this.pool.kill(device);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
