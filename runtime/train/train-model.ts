import * as tf from "@tensorflow/tfjs";
import type { DataSource, Loss } from "../../compiler/ir/config.js";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../checkpoint/index.js";
import { DataError, type Dataset, loadDataset, splitValidation } from "../data/index.js";
import { DeviceFailure } from "../devices/index.js";
import { initializeWeights } from "../model/index.js";
import { type FinalMetrics, Reporter, weightsL2 } from "../report/index.js";
import { PlanGroup, needsPlanExecutor } from "../plan-exec/index.js";
import { DataParallelGroup } from "./data-parallel-group.js";
import { resolveTransport } from "../process/index.js";
import type { NamedArray } from "./optimizer.js";
import { type RunState, runEpochs } from "./run-epochs.js";
import type { TrainOptions } from "./train-options.js";
import { TrainingFailure } from "./training-failure.js";

async function loadData(
  o: TrainOptions,
  seed: number,
): Promise<{ train: Dataset; validation: Dataset | null }> {
  const inputShape = (o.model.inputs[0]?.shape ?? []).slice(1) as number[];
  const load = (source: DataSource) => loadDataset(source, { inputShape, baseDir: o.baseDir, seed });
  let full = o.dataset;
  if (full === undefined) {
    if (o.training.data === undefined)
      throw new TrainingFailure("no data: give `data:` in the file or --data", 0);
    full = await load(o.training.data);
  }
  const v = o.training.validation;
  if (typeof v === "number") {
    if (v <= 0) return { train: full, validation: null };
    const { train, validation } = splitValidation(full, v, seed);
    return { train, validation };
  }
  return { train: full, validation: await load(v) };
}

interface Start {
  readonly optimizerState: NamedArray[];
  readonly position: { step: number; epoch: number; batchInEpoch: number };
  readonly resumedFrom?: string;
}

async function prepareWeights(o: TrainOptions, seed: number): Promise<Start> {
  if (o.resume === undefined) {
    initializeWeights(o.model, seed);
    return { optimizerState: [], position: { step: 0, epoch: 0, batchInEpoch: 0 } };
  }
  const loaded = await loadCheckpoint(o.resume);
  const weights = loaded.model.getWeights();
  o.model.setWeights(weights);
  loaded.model.dispose();
  return { optimizerState: loaded.optimizerState, position: loaded.position, resumedFrom: loaded.dir };
}

/** Any failure as a TrainingFailure naming the device, the step and the intact checkpoint. */
function asFailure(error: unknown, state: RunState | null): TrainingFailure {
  const step = state?.step ?? 0;
  const kept = state?.lastCheckpoint;
  if (error instanceof TrainingFailure) return error;
  if (error instanceof DeviceFailure) return new TrainingFailure(error.message, step + 1, error.device, kept);
  if (error instanceof CheckpointError)
    return new TrainingFailure(error.message, step, undefined, error.lastIntact);
  if (error instanceof DataError) return new TrainingFailure(error.message, step, undefined, kept);
  return new TrainingFailure(error instanceof Error ? error.message : String(error), step, undefined, kept);
}

/**
 * Trains `model` data-parallel on `devices` worker threads (ARCHITECTURE.md, "Semantics that make N devices
 * equal one"), reporting progress, checkpointing at each epoch end and at the end, and resolving with the
 * final line's metrics. Rejects with a TrainingFailure (already reported) on any failure.
 */
export async function trainModel(o: TrainOptions): Promise<FinalMetrics> {
  const reporter = new Reporter({
    json: o.json ?? false,
    ...(o.tty === undefined ? {} : { tty: o.tty }),
    ...(o.out === undefined ? {} : { write: o.out }),
  });
  let state: RunState | null = null;
  let group: DataParallelGroup | null = null;
  try {
    const loss: Loss | undefined = o.training.loss;
    if (loss === undefined) throw new TrainingFailure("no loss: give `loss:` in the file or --loss", 0);
    const seed = o.seed ?? o.training.seed;
    const globalBatch = o.batch ?? o.training.batch;
    if (globalBatch < o.devices) {
      throw new TrainingFailure(
        `the global batch (${globalBatch}) is smaller than the devices (${o.devices})`,
        0,
      );
    }
    const { train, validation } = await loadData(o, seed);
    const start = await prepareWeights(o, seed);
    if (o.plan !== undefined && needsPlanExecutor(o.plan)) {
      // PlanGroup has DataParallelGroup's step / evaluate / state / kill / close surface, which runEpochs uses.
      group = (await PlanGroup.start({
        plan: o.plan,
        model: o.model,
        optimizer: o.training.optimizer,
        loss,
        seed,
        train,
        validation,
        optimizerState: start.optimizerState,
        batch: globalBatch,
        backend: o.backend ?? "auto",
        ...resolveTransport(o.transport),
      })) as unknown as DataParallelGroup;
    } else {
      group = await DataParallelGroup.start({
        model: o.model,
        devices: o.devices,
        optimizer: o.training.optimizer,
        loss,
        seed,
        train,
        validation,
        optimizerState: start.optimizerState,
        backend: o.backend ?? "auto",
        ...resolveTransport(o.transport),
      });
    }
    const batch = globalBatch;
    const epochs = o.epochs ?? (o.steps !== undefined ? Number.POSITIVE_INFINITY : o.training.epochs);
    const shownEpochs = Number.isFinite(epochs)
      ? epochs
      : Math.ceil((o.steps ?? 0) / Math.max(1, Math.ceil(train.count / batch)));
    state = { ...start.position, lastCheckpoint: start.resumedFrom };
    reporter.start({
      model: o.modelName,
      devices: o.devices,
      backend: group.backend,
      strategy: o.strategy ?? "data",
      globalBatch: batch,
      epochs: shownEpochs,
      stepsPerEpoch: Math.ceil(train.count / batch),
      trainSamples: train.count,
      validationSamples: validation?.count ?? 0,
      data: train.description,
      saveDir: o.saveDir ?? null,
      ...(start.resumedFrom === undefined ? {} : { resumedFrom: start.resumedFrom }),
    });
    const result = await runEpochs({
      options: o,
      group,
      reporter,
      state,
      train,
      hasValidation: validation !== null && validation.count > 0,
      batch,
      epochs,
      shownEpochs,
      seed,
      loss,
      save: async (position) => {
        const snapshot = await group!.state();
        const tensors = snapshot.weights.map((w, i) => tf.tensor(w, o.model.weights[i]!.shape as number[]));
        o.model.setWeights(tensors);
        tf.dispose(tensors);
        if (!o.saveDir) return undefined;
        const name = await saveCheckpoint(o.saveDir, {
          model: o.model,
          optimizerState: snapshot.optimizerState,
          position,
          meta: {
            modelName: o.modelName,
            loss,
            metrics: [...o.training.metrics],
            seed,
            devices: o.devices,
            batch,
          },
        });
        return `${o.saveDir}/${name}`;
      },
    });
    const final: FinalMetrics = { ...result, weightsL2: weightsL2(o.model), steps: state.step };
    reporter.final(final, state.lastCheckpoint);
    return final;
  } catch (error) {
    const failure = asFailure(error, state);
    reporter.error({
      message: failure.message,
      ...(failure.device === undefined ? {} : { device: failure.device }),
      step: failure.step,
      ...(failure.keptCheckpoint === undefined ? {} : { kept: failure.keptCheckpoint }),
    });
    throw new TrainingFailure(failure.message, failure.step, failure.device, failure.keptCheckpoint, true);
  } finally {
    await group?.close();
  }
}
