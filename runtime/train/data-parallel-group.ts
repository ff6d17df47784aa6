import type * as tf from "@tensorflow/tfjs";
import type { Loss, Optimizer } from "../../compiler/ir/config.js";
import { createSharedLayout } from "../collectives/index.js";
import type { Dataset } from "../data/index.js";
import { type DeviceGroup, DevicePool } from "../devices/index.js";
import { ProcessPool } from "../process/index.js";
import type { NamedArray } from "./optimizer.js";
import { Scoring } from "./scoring.js";
import { packShared } from "./shared-arrays.js";
import type {
  EvaluateReply,
  FromWorker,
  InitMessage,
  SharedDataset,
  StateReply,
  StepReply,
} from "./protocol.js";

export interface GroupOptions {
  /** The model to replicate, with its initial weights already set. */
  readonly model: tf.LayersModel;
  readonly devices: number;
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  /** Metrics scored with the loss (resolve-config's names); default none. */
  readonly metrics?: readonly string[];
  /** Keys the dropout masks. */
  readonly seed: number;
  readonly train: Dataset;
  readonly validation?: Dataset | null;
  readonly optimizerState?: readonly NamedArray[];
  readonly backend?: "auto" | "wasm" | "cpu";
  /** Floats per all-reduce bucket. */
  readonly bucket?: number;
  /** Worker threads (default) or one child process per device (runtime/process); `gpu` pins each to a GPU. */
  readonly transport?: "thread" | "process";
  readonly gpu?: boolean;
}

/** Copies a data set into shared memory once, so replicas read their rows without any per-step copy. */
export function shareDataset(ds: Dataset): SharedDataset {
  const x = new SharedArrayBuffer(ds.x.byteLength);
  new Float32Array(x).set(ds.x);
  const y = new SharedArrayBuffer(ds.y.byteLength);
  if (ds.y instanceof Int32Array) new Int32Array(y).set(ds.y);
  else new Float32Array(y).set(ds.y);
  return {
    x,
    y,
    yIsInt: ds.y instanceof Int32Array,
    count: ds.count,
    sampleShape: ds.sampleShape,
    labelShape: ds.labelShape,
  };
}

function expect<T extends FromWorker["type"]>(
  replies: FromWorker[],
  type: T,
): Extract<FromWorker, { type: T }>[] {
  return replies.map((r) => {
    if (r.type !== type) throw new Error(`device protocol: expected ${type}, got ${r.type}`);
    return r as Extract<FromWorker, { type: T }>;
  });
}

/**
 * N replicas of one model on N worker-thread devices, stepping together: the data-parallel engine under
 * `trainModel` and `MirroredStrategy`.
 */
export class DataParallelGroup {
  private constructor(
    private readonly pool: DeviceGroup,
    readonly backend: string,
  ) {}

  static async start(options: GroupOptions): Promise<DataParallelGroup> {
    Scoring.checkData(options.model, options.loss, options.metrics ?? [], [
      options.train,
      options.validation,
    ]);
    const layout = createSharedLayout(options.devices, options.bucket ?? 1 << 20);
    const pool =
      options.transport === "process"
        ? new ProcessPool(options.devices, { bucket: layout.capacity, gpu: options.gpu ?? false })
        : new DevicePool(options.devices, layout);
    const topology = options.model.toJSON(null, false);
    const train = shareDataset(options.train);
    const validation = options.validation ? shareDataset(options.validation) : null;
    const weights = packShared(options.model.getWeights().map((t) => t.dataSync() as Float32Array));
    const state = options.optimizerState ?? [];
    const optimizerData = packShared(state.map((s) => s.data));
    const optimizerSlots = state.map(({ name, shape }) => ({ name, shape }));
    try {
      const replies = await pool.request((rank) => {
        const message: InitMessage = {
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
        };
        return { message };
      });
      const [first] = expect(replies, "ready");
      return new DataParallelGroup(pool, first!.backend);
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  get devices(): number {
    return this.pool.size;
  }

  /** One optimizer step over the global batch `indices` (data set rows, in order). */
  async step(step: number, indices: Uint32Array): Promise<StepReply> {
    const replies = await this.pool.request(() => ({ message: { type: "step", step, indices } }));
    return expect(replies, "stepDone")[0]!;
  }

  async evaluate(batch: number): Promise<EvaluateReply> {
    return expect(await this.pool.request(() => ({ message: { type: "evaluate", batch } })), "evaluated")[0]!;
  }

  /** Weights (in `model.getWeights()` order) and optimizer state: identical on every replica, read from 0. */
  async state(): Promise<StateReply> {
    return expect(await this.pool.request(() => ({ message: { type: "state" } })), "state")[0]!;
  }

  kill(device: number): void {
    this.pool.kill(device);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
