import type { Loss } from "../../compiler/ir/config.js";
import { type Dataset, epochOrder } from "../data/index.js";
import {
  type FinalMetrics,
  NO_SUMS,
  type Reporter,
  type ScoreSums,
  accuracyName,
  addSums,
  metricLogs,
} from "../report/index.js";
import type { TrainingGroup } from "./training-group.js";
import type { TrainOptions } from "./train-options.js";
import { Interrupted } from "./interrupted.js";
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
  readonly group: TrainingGroup;
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
  // Every metric is logged under its own name; the final line's accuracy is the run's accuracy metric.
  const metrics = c.options.training.metrics;
  const accuracy = accuracyName(metrics);
  const accuracyOf = (logs: Record<string, number>, prefix = ""): number | null =>
    accuracy === null ? null : logs[prefix + accuracy]!;
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
  // SIGINT / SIGTERM (through options.signal) are honoured between steps only: a step is never cut in half.
  const stopRequested = () => options.signal?.aborted === true;
  const firstStep = state.step;
  while (state.epoch < c.epochs && state.step < maxSteps) {
    if (stopRequested()) return interrupt(c, state, savedAt, firstStep);
    reporter.epochStart(state.epoch + 1, c.shownEpochs, perEpoch);
    const order = epochOrder(train.count, c.seed, state.epoch);
    let sums: ScoreSums = NO_SUMS;
    const epochStart = performance.now();
    while (state.batchInEpoch < perEpoch && state.step < maxSteps && !stopRequested()) {
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
      sums = addSums(sums, r);
      state.step++;
      state.batchInEpoch++;
      const stepLogs = metricLogs(metrics, sums);
      last = { loss: stepLogs["loss"]!, accuracy: accuracyOf(stepLogs), valLoss: null };
      reporter.step({
        epoch: state.epoch + 1,
        step: state.batchInEpoch,
        globalStep: state.step,
        logs: stepLogs,
      });
    }
    if (stopRequested()) return interrupt(c, state, savedAt, firstStep);
    if (state.batchInEpoch < perEpoch) {
      // Stopped mid-epoch by --steps: still measure the model the run ends with.
      if (c.hasValidation) {
        const v = metricLogs(metrics, await group.evaluate(256), "val_");
        last.valLoss = v["val_loss"]!;
        valAccuracy = accuracyOf(v, "val_");
      }
      break;
    }
    const epochMs = performance.now() - epochStart;
    const logs: Record<string, number | null> = metricLogs(metrics, sums);
    if (c.hasValidation) {
      const v = metricLogs(metrics, await group.evaluate(256), "val_");
      Object.assign(logs, v);
      last.valLoss = v["val_loss"]!;
      valAccuracy = accuracyOf(v, "val_");
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

/**
 * Stops on request: saves the step reached unless a checkpoint of it exists already (an epoch just ended) or
 * this run has not trained a step (the resumed checkpoint, if any, is what there is), then rejects with
 * `Interrupted` naming the step and the checkpoint kept.
 */
async function interrupt(c: RunContext, state: RunState, savedAt: number, firstStep: number): Promise<never> {
  if (savedAt !== state.step && state.step !== firstStep) await checkpoint(c, state);
  throw new Interrupted(state.step, state.lastCheckpoint);
}

async function checkpoint(c: RunContext, state: RunState): Promise<void> {
  const path = await c.save({ step: state.step, epoch: state.epoch, batchInEpoch: state.batchInEpoch });
  if (path === undefined) return;
  state.lastCheckpoint = path;
  c.reporter.checkpoint({ path, step: state.step, epoch: state.epoch });
}
