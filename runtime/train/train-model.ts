import { runsOnPlanExecutor, webgpuPlanProblem } from "./webgpu-plans.js";
import * as tf from "@tensorflow/tfjs";
import type { DataSource, Loss } from "../../compiler/ir/config.js";
import {
  CheckpointError,
  CheckpointMismatch,
  type LoadedCheckpoint,
  probeWritable,
  saveCheckpoint,
} from "../checkpoint/index.js";
import { DataError, type Dataset, inputAsTarget, loadDataset, splitValidation } from "../data/index.js";
import { DeviceFailure } from "../devices/index.js";
import { initializeWeights } from "../model/index.js";
import { type FinalMetrics, Reporter, weightsL2 } from "../report/index.js";
import { PlanGroup } from "../plan-exec/index.js";
import { DataParallelGroup } from "./data-parallel-group.js";
import type { TrainingGroup } from "./training-group.js";
import { resolveTransport } from "../process/index.js";
import { dataDegreeOf, describeBatchSplit } from "./batch-split.js";
import { Interrupted } from "./interrupted.js";
import type { NamedArray } from "../worker/optimizer.js";
import { nothingLeftToTrain, openResume } from "./resume.js";
import { type RunState, runEpochs } from "./run-epochs.js";
import type { TrainOptions } from "./train-options.js";
import { TrainingFailure } from "./training-failure.js";

async function loadData(
  o: TrainOptions,
  seed: number,
): Promise<{ train: Dataset; validation: Dataset | null }> {
  const inputShape = (o.model.inputs[0]?.shape ?? []).slice(1) as number[];
  // `target: input` (an autoencoder): the labels are the samples themselves, for a given data set too.
  const target = o.training.target;
  const load = (source: DataSource, vocabulary?: readonly string[]) =>
    loadDataset(source, {
      inputShape,
      baseDir: o.baseDir,
      seed,
      ...(target ? { target } : {}),
      ...(vocabulary ? { vocabulary } : {}),
    });
  let full = o.dataset && target === "input" ? inputAsTarget(o.dataset) : o.dataset;
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
  // A validation text is read with the training text's ids.
  return { train: full, validation: await load(v, full.vocabulary) };
}

interface Start {
  readonly optimizerState: NamedArray[];
  readonly position: { step: number; epoch: number; batchInEpoch: number };
  readonly resumedFrom?: string;
}

function prepareWeights(o: TrainOptions, seed: number, loaded: LoadedCheckpoint | null): Start {
  if (loaded === null) {
    initializeWeights(o.model, seed);
    return { optimizerState: [], position: { step: 0, epoch: 0, batchInEpoch: 0 } };
  }
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

/** Where the run's text goes: `o.out`, else stdout. */
function output(o: TrainOptions): (chunk: string) => void {
  return o.out ?? ((chunk: string) => void process.stdout.write(chunk));
}

/**
 * `interrupted at step N; kept DIR` (below the progress bar a TTY may still show), or under `--json` an `error`
 * event carrying `interrupted: true`.
 */
function reportInterrupted(o: TrainOptions, stop: Interrupted): void {
  const kept = stop.keptCheckpoint === undefined ? {} : { kept: stop.keptCheckpoint };
  const event = { event: "error", message: stop.message, interrupted: true, step: stop.step, ...kept };
  const tty = o.tty ?? process.stdout.isTTY === true;
  output(o)(o.json ? `${JSON.stringify(event)}\n` : `${tty ? "\n" : ""}${stop.message}\n`);
}

/**
 * Trains `model` on `devices` devices as `plan` places it (data-parallel without a plan), on worker threads or
 * device processes (ARCHITECTURE.md, "Semantics that make N devices equal one"), reporting progress, checkpointing at each epoch end and at the end, and resolving with the
 * final line's metrics. Everything that can be checked without training is checked before a device starts:
 * the batch against the data degree, that the checkpoint folder can be written, that `resume` is of this
 * model and has steps left (when not, one line says so and it resolves without training or writing).
 * Rejects with a TrainingFailure (already reported) on any failure, a `CheckpointMismatch` (not reported) for
 * another model's checkpoint, and an `Interrupted` (reported) when `o.signal` stopped it.
 */
export async function trainModel(o: TrainOptions): Promise<FinalMetrics> {
  const reporter = new Reporter({
    json: o.json ?? false,
    ...(o.tty === undefined ? {} : { tty: o.tty }),
    ...(o.out === undefined ? {} : { write: o.out }),
  });
  let state: RunState | null = null;
  let group: TrainingGroup | null = null;
  try {
    const loss: Loss | undefined = o.training.loss;
    if (loss === undefined) throw new TrainingFailure("no loss: give `loss:` in the file or --loss", 0);
    const seed = o.seed ?? o.training.seed;
    const globalBatch = o.batch ?? o.training.batch;
    const dataDegree = dataDegreeOf(o.plan, o.devices);
    if (globalBatch < dataDegree) {
      throw new TrainingFailure(
        `the global batch (${globalBatch}) is smaller than the ${dataDegree} data-parallel replicas it is split over`,
        0,
      );
    }
    const epochs = o.epochs ?? (o.steps !== undefined ? Number.POSITIVE_INFINITY : o.training.epochs);
    const resumed = o.resume === undefined ? null : await openResume(o.resume, o.model, o.modelName);
    const nothingLeft =
      resumed && nothingLeftToTrain(resumed.dir, resumed.position, { steps: o.steps, epochs });
    if (resumed && nothingLeft) {
      // Said in one line; nothing is trained and nothing written (no second checkpoint of the same step).
      // Under --json stdout carries events only, and none of CLI.md's fits "nothing to do".
      if (o.json) process.stderr.write(`${nothingLeft}\n`);
      else output(o)(`${nothingLeft}\n`);
      prepareWeights(o, seed, resumed);
      const none = { loss: null, accuracy: null, valAccuracy: null, samplesPerS: null };
      return { ...none, weightsL2: weightsL2(o.model), steps: resumed.position.step };
    }
    if (o.saveDir) {
      await probeWritable(o.saveDir).catch((error: unknown) => {
        resumed?.model.dispose();
        throw error;
      });
    }
    const { train, validation } = await loadData(o, seed);
    const start = prepareWeights(o, seed, resumed);
    const common = {
      model: o.model,
      optimizer: o.training.optimizer,
      loss,
      metrics: o.training.metrics,
      seed,
      train,
      validation,
      optimizerState: start.optimizerState,
      backend: o.backend ?? "auto",
      // One process per WebGPU device: Dawn and tfjs-backend-webgpu hold one adapter per process.
      ...(o.backend === "webgpu"
        ? { transport: "process" as const, gpu: false, webgpuAdapters: o.webgpuAdapters ?? [] }
        : resolveTransport(o.transport)),
    };
    const webgpuProblem = o.backend === "webgpu" ? webgpuPlanProblem(o.plan, o.devices) : null;
    if (webgpuProblem !== null) throw new TrainingFailure(webgpuProblem, 0);
    // Plans that split a layer or have stages run on the plan executor; all-data plans on replicas (faster),
    // but for batchnorm on WebGPU (runsOnPlanExecutor says why).
    group =
      o.plan !== undefined && runsOnPlanExecutor(o.plan, o.backend ?? "auto", o.devices)
        ? await PlanGroup.start({ ...common, plan: o.plan, batch: globalBatch })
        : await DataParallelGroup.start({
            ...common,
            devices: o.devices,
            // The plan executor (split layers, stages, WebGPU batchnorm) always replicates the update.
            optimizerSharding: o.plan?.schedule.optimizerSharding ?? "replicated",
          });
    const batch = globalBatch;
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
      batchSplit: describeBatchSplit(o.plan, o.devices, batch),
      // Sequence models scored at every position (text): the positions each sample trains on.
      ...(train.vocabulary ? { tokensPerSample: train.labelShape.reduce((a, b) => a * b, 1) } : {}),
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
            ...(o.training.target ? { target: o.training.target } : {}),
            seed,
            devices: o.devices,
            batch,
            // Text models: the characters their ids stand for, which `mgpuc sample` decodes with.
            ...(train.vocabulary ? { vocabulary: [...train.vocabulary] } : {}),
          },
        });
        return `${o.saveDir}/${name}`;
      },
    });
    const final: FinalMetrics = {
      ...result,
      weightsL2: weightsL2(o.model),
      steps: state.step,
      ...(o.plan === undefined
        ? {}
        : {
            // The plan predicts its own global batch's step; a run on another batch has no prediction.
            predictedStepMs: o.plan.training.batch === batch ? o.plan.predicted.stepTimeMs : null,
            measuredStepMs: result.samplesPerS === null ? null : (batch / result.samplesPerS) * 1000,
          }),
    };
    reporter.final(final, state.lastCheckpoint);
    return final;
  } catch (error) {
    if (error instanceof Interrupted) {
      reportInterrupted(o, error);
      throw error;
    }
    if (error instanceof CheckpointMismatch) throw error;
    const failure = asFailure(error, state);
    reporter.error({
      message: failure.message,
      ...(failure.device === undefined ? {} : { device: failure.device }),
      // Before the first step (state still null) there is no step to name.
      ...(state === null ? {} : { step: failure.step }),
      ...(failure.keptCheckpoint === undefined ? {} : { kept: failure.keptCheckpoint }),
    });
    throw new TrainingFailure(failure.message, failure.step, failure.device, failure.keptCheckpoint, true);
  } finally {
    await group?.close();
  }
}
