import { finalEvent, formatFinalLine, formatStepLine, type FinalMetrics } from "./final-line.js";
import { formatDuration, formatLogs, groupThousands, progressBar } from "./format.js";

export type Logs = Readonly<Record<string, number | null | undefined>>;

export interface StartInfo {
  readonly model: string;
  readonly devices: number;
  /** `wasm`, `cpu`, `tensorflow` (tfjs-node)... */
  readonly backend: string;
  readonly strategy: string;
  readonly globalBatch: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly trainSamples: number;
  readonly validationSamples: number;
  /** The data set's own description (`Dataset.description`). */
  readonly data: string;
  /** Where checkpoints go; `null` = `--no-save`. */
  readonly saveDir?: string | null;
  /** Set when continuing a run. */
  readonly resumedFrom?: string;
  /**
   * What happens to the global batch (`global batch 64 → 8 micro-batches of 8 through 2 pipeline stages`);
   * default: split evenly over the devices, as data parallelism does.
   */
  readonly batchSplit?: string;
  /** Positions each sample is scored at (a text model's window length): progress shows tokens/s too. */
  readonly tokensPerSample?: number;
}

export interface StepInfo {
  /** 1-based. */
  readonly epoch: number;
  /** 1-based step within the epoch. */
  readonly step: number;
  readonly globalStep: number;
  readonly logs: Logs;
}

export interface EpochInfo {
  readonly epoch: number;
  readonly epochs: number;
  readonly steps: number;
  /** Training and validation logs, Keras-named: `loss`, `accuracy`, `val_loss`, `val_accuracy`. */
  readonly logs: Logs;
  readonly samplesPerS: number | null;
  /** Wall time of the epoch's steps. */
  readonly ms: number;
}

export interface CheckpointInfo {
  readonly path: string;
  readonly step: number;
  readonly epoch: number;
}

export interface ErrorInfo {
  readonly message: string;
  readonly device?: number;
  readonly step?: number;
  /** The newest checkpoint that is intact, if any. */
  readonly kept?: string;
}

export interface ReporterOptions {
  /** One JSON object per line instead of text. */
  readonly json?: boolean;
  /** Redraw a progress bar in place; otherwise one line per epoch. Default: whether stdout is a TTY. */
  readonly tty?: boolean;
  /** Receives text exactly as it should appear (newlines included). Default: process.stdout. */
  readonly write?: (chunk: string) => void;
  /** Milliseconds; injectable so tests do not depend on the clock. */
  readonly now?: () => number;
}

/** Keras-like training output: a bar per epoch on a TTY, one line per epoch in logs, or `--json` events. */
export class Reporter {
  private readonly json: boolean;
  private readonly tty: boolean;
  private readonly write: (chunk: string) => void;
  private readonly now: () => number;
  private epochStartMs = 0;
  private lastDrawMs = -Infinity;
  private stepsPerEpoch = 0;
  private barOpen = false;
  private tokensPerSample: number | undefined;

  constructor(options: ReporterOptions = {}) {
    this.json = options.json ?? false;
    this.tty = options.tty ?? process.stdout.isTTY === true;
    this.write = options.write ?? ((chunk) => void process.stdout.write(chunk));
    this.now = options.now ?? (() => performance.now());
  }

  start(info: StartInfo): void {
    this.stepsPerEpoch = info.stepsPerEpoch;
    this.tokensPerSample = info.tokensPerSample;
    if (this.json) return this.event({ event: "start", ...info });
    const perDevice = Math.floor(info.globalBatch / info.devices);
    const split = info.globalBatch % info.devices === 0 ? `${perDevice}` : `${perDevice}–${perDevice + 1}`;
    const batch = info.batchSplit ?? `global batch ${info.globalBatch} → ${split} per device`;
    this.line(
      `mgpuc · ${info.model} · ${info.devices} device${info.devices === 1 ? "" : "s"} (${info.backend} backend)` +
        ` · strategy ${info.strategy} · ${batch}`,
    );
    this.line(
      `data: ${info.data}, ${groupThousands(info.trainSamples)} train / ` +
        `${groupThousands(info.validationSamples)} validation`,
    );
    if (info.resumedFrom !== undefined) this.line(`resumed from ${info.resumedFrom}`);
  }

  epochStart(epoch: number, epochs: number, stepsPerEpoch: number = this.stepsPerEpoch): void {
    this.stepsPerEpoch = stepsPerEpoch;
    this.epochStartMs = this.now();
    this.lastDrawMs = -Infinity;
    if (!this.json) this.line(`Epoch ${epoch}/${epochs}`);
  }

  step(info: StepInfo): void {
    if (this.json) return this.event({ event: "step", ...this.stepFields(info) });
    if (!this.tty) return;
    const now = this.now();
    // Redrawing every step would cost more than a small model's step; 10 frames a second is smooth enough.
    if (now - this.lastDrawMs < 100 && info.step < this.stepsPerEpoch) return;
    this.lastDrawMs = now;
    const elapsed = now - this.epochStartMs;
    const perStep = elapsed / Math.max(1, info.step);
    const eta = perStep * (this.stepsPerEpoch - info.step);
    this.write(
      `\r${this.counter(info.step)} ${progressBar(info.step, this.stepsPerEpoch)} ETA ${formatDuration(eta)}` +
        ` ${formatDuration(perStep)}/step${formatLogs(info.logs)}\x1b[K`,
    );
    this.barOpen = true;
  }

  epochEnd(info: EpochInfo): void {
    const tokens =
      info.samplesPerS === null || this.tokensPerSample === undefined
        ? undefined
        : info.samplesPerS * this.tokensPerSample;
    if (this.json) {
      return this.event({
        event: "epoch",
        epoch: info.epoch,
        epochs: info.epochs,
        steps: info.steps,
        ...info.logs,
        samples_per_s: info.samplesPerS,
        ...(tokens === undefined ? {} : { tokens_per_s: tokens }),
        seconds: info.ms / 1000,
      });
    }
    const perStep = info.ms / Math.max(1, info.steps);
    const rate =
      info.samplesPerS === null
        ? ""
        : ` - ${groupThousands(info.samplesPerS)} samples/s` +
          (tokens === undefined ? "" : ` (${groupThousands(tokens)} tokens/s)`);
    const text =
      `${this.counter(info.steps)} ${progressBar(info.steps, this.stepsPerEpoch)} ${formatDuration(info.ms)}` +
      ` ${formatDuration(perStep)}/step${formatLogs(info.logs)}${rate}`;
    if (this.tty) this.write(`\r${text}\x1b[K\n`);
    else this.write(`${text}\n`);
    this.barOpen = false;
  }

  checkpoint(info: CheckpointInfo): void {
    if (this.json) return this.event({ event: "checkpoint", ...info });
  }

  /** Prints where the model was saved and then the final line (CLI.md), or the `final` event. */
  final(metrics: FinalMetrics, saved?: string): void {
    if (this.json) return this.event({ ...finalEvent(metrics), ...(saved === undefined ? {} : { saved }) });
    // CLI.md: a run *ends* with the final line, so scripts can read the last line; `saved:` comes first.
    if (saved !== undefined)
      this.line(`saved: ${saved} (model.json + weights.bin; load with tf.loadLayersModel)`);
    const step = formatStepLine(metrics);
    if (step !== null) this.line(step);
    this.line(formatFinalLine(metrics));
  }

  error(info: ErrorInfo): void {
    if (this.json) return this.event({ event: "error", ...info });
    const where = [
      info.device === undefined ? "" : ` device ${info.device}`,
      info.step === undefined ? "" : ` at step ${info.step}`,
    ].join("");
    this.line(`error:${where ? where + ":" : ""} ${info.message}`);
    this.line(
      info.kept === undefined ? "kept: nothing (no checkpoint was written)" : `kept: ${info.kept}, intact`,
    );
  }

  private stepFields(info: StepInfo): Record<string, unknown> {
    return { epoch: info.epoch, step: info.step, global_step: info.globalStep, ...info.logs };
  }

  private counter(step: number): string {
    const total = String(this.stepsPerEpoch);
    return `${String(step).padStart(total.length)}/${total}`;
  }

  private line(text: string): void {
    if (this.barOpen) this.write("\n");
    this.barOpen = false;
    this.write(`${text}\n`);
  }

  private event(fields: Record<string, unknown>): void {
    this.write(`${JSON.stringify(fields, (_key, value: unknown) => nonFinite(value))}\n`);
  }
}

/** JSON has no NaN/Infinity; a NaN loss must still reach the `--json` reader, as a string. */
function nonFinite(value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}
