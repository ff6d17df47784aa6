import type { Loss } from "../../compiler/ir/config.js";
import { type Dataset, epochOrder } from "../data/index.js";
import type { FinalMetrics, Reporter } from "../report/index.js";
import type { DataParallelGroup } from "./data-parallel-group.js";
import type { TrainOptions } from "./train-options.js";
import { TrainingFailure } from "./training-failure.js";

/** Where the run stands; mutated as it goes, so a failure can say which step and which checkpoint. */
export interface RunState {
  /** Optimizer steps taken in total. */
  step: number;
  epoch: number;
  batchInEpoch: number;
  lastCheckpoint: string | undefined;
}

export interface RunContext {
  readonly options: TrainOptions;
  readonly group: DataParallelGroup;
  readonly reporter: Reporter;
  readonly state: RunState;
  readonly train: Dataset;
  readonly hasValidation: boolean;
  readonly batch: number;
  readonly epochs: number;
  readonly shownEpochs: number;
  readonly seed: number;
  readonly loss: Loss;
  /** Pulls the replicas' weights into the model and saves a checkpoint when saving is on (its path). */
  readonly save: (position: {
    step: number;
    epoch: number;
    batchInEpoch: number;
  }) => Promise<string | undefined>;
}

/** Steps timed for samples_per_s skip the first five of the run: start-up (JIT, wasm warm-up) is excluded. */
const WARMUP_STEPS = 5;

/**
 * Batches per epoch. A final partial batch is trained unless it has fewer rows than this run's devices (a
 * replica with no rows could not take part in batchnorm's all-reduce); only then is that remainder skipped.
 */
export function batchesPerEpoch(count: number, batch: number, devices: number): number {
  const full = Math.floor(count / batch);
  return count % batch >= devices ? full + 1 : full;
}

export async function runEpochs(c: RunContext): Promise<Omit<FinalMetrics, "weightsL2">> {
  const { state, group, reporter, train, batch, options } = c;
  const accuracyOn = c.options.training.metrics.some((m) => m === "accuracy" || m === "acc");
  const maxSteps = options.steps ?? Number.POSITIVE_INFINITY;
  const perEpoch = batchesPerEpoch(train.count, batch, group.devices);
  if (perEpoch === 0) {
    throw new TrainingFailure(
      `${train.count} training samples cannot feed ${group.devices} devices`,
      state.step,
    );
  }
  let timedMs = 0;
  let timedSamples = 0;
  let stepsThisRun = 0;
  let last = { loss: null as number | null, accuracy: null as number | null, valLoss: null as number | null };
  let valAccuracy: number | null = null;
  let savedAt = -1;
  while (state.epoch < c.epochs && state.step < maxSteps) {
    reporter.epochStart(state.epoch + 1, c.shownEpochs, perEpoch);
    const order = epochOrder(train.count, c.seed, state.epoch);
    let lossSum = 0;
    let correct = 0;
    let rows = 0;
    const epochStart = performance.now();
    while (state.batchInEpoch < perEpoch && state.step < maxSteps) {
      const b = state.batchInEpoch;
      const indices = order.slice(b * batch, Math.min(train.count, (b + 1) * batch));
      const t0 = performance.now();
      const pending = group.step(state.step, indices);
      const fault = options.faultInjection;
      if (fault !== undefined && fault.atStep === state.step + 1) group.kill(fault.killDevice);
      const r = await pending;
      const ms = performance.now() - t0;
      if (++stepsThisRun > WARMUP_STEPS) {
        timedMs += ms;
        timedSamples += r.rows;
      }
      if (!Number.isFinite(r.lossSum)) {
        throw new TrainingFailure(
          `loss became ${r.lossSum} at step ${state.step + 1}`,
          state.step + 1,
          undefined,
          state.lastCheckpoint,
        );
      }
      lossSum += r.lossSum;
      correct += r.correct;
      rows += r.rows;
      state.step++;
      state.batchInEpoch++;
      last = { loss: lossSum / rows, accuracy: accuracyOn ? correct / rows : null, valLoss: null };
      reporter.step({
        epoch: state.epoch + 1,
        step: state.batchInEpoch,
        globalStep: state.step,
        logs: accuracyOn ? { loss: last.loss, accuracy: last.accuracy } : { loss: last.loss },
      });
    }
    if (state.batchInEpoch < perEpoch) {
      // Stopped mid-epoch by --steps: still measure the model the run ends with.
      if (c.hasValidation) {
        const v = await group.evaluate(256);
        last.valLoss = v.lossSum / Math.max(1, v.rows);
        if (accuracyOn) valAccuracy = v.correct / Math.max(1, v.rows);
      }
      break;
    }
    const epochMs = performance.now() - epochStart;
    const logs: Record<string, number | null> = { loss: last.loss };
    if (accuracyOn) logs["accuracy"] = last.accuracy;
    if (c.hasValidation) {
      const v = await group.evaluate(256);
      last.valLoss = v.lossSum / Math.max(1, v.rows);
      logs["val_loss"] = last.valLoss;
      if (accuracyOn) logs["val_accuracy"] = valAccuracy = v.correct / Math.max(1, v.rows);
    }
    state.epoch++;
    state.batchInEpoch = 0;
    reporter.epochEnd({
      epoch: state.epoch,
      epochs: c.shownEpochs,
      steps: perEpoch,
      logs,
      samplesPerS: timedMs > 0 ? (timedSamples / timedMs) * 1000 : null,
      ms: epochMs,
    });
    await checkpoint(c, state);
    savedAt = state.step;
  }
  if (savedAt !== state.step) await checkpoint(c, state);
  return {
    loss: last.loss,
    accuracy: last.accuracy,
    valLoss: last.valLoss,
    valAccuracy,
    samplesPerS: timedMs > 0 ? (timedSamples / timedMs) * 1000 : null,
  };
}

async function checkpoint(c: RunContext, state: RunState): Promise<void> {
  const path = await c.save({ step: state.step, epoch: state.epoch, batchInEpoch: state.batchInEpoch });
  if (path === undefined) return;
  state.lastCheckpoint = path;
  c.reporter.checkpoint({ path, step: state.step, epoch: state.epoch });
}
