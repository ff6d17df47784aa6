import { configLabel, type LayerConfig } from "../cost/layer-config.js";
import { formatBytes, formatMs } from "./format.js";

/** What one configuration of one layer costs, in the terms a person can check. */
export interface ConfigTraffic {
  readonly config: LayerConfig;
  readonly gradBytes: number;
  readonly movedBytes: number;
  /** Partial sums (row-parallel, head-split layers) added up by all-reduces. */
  readonly summedBytes?: number;
  readonly compute: number;
}

function traffic(t: ConfigTraffic): string {
  const parts: string[] = [];
  if (t.gradBytes > 0) parts.push(`${formatBytes(t.gradBytes)} of gradients to all-reduce`);
  if (t.movedBytes > 0) parts.push(`${formatBytes(t.movedBytes)} of activations to gather`);
  if ((t.summedBytes ?? 0) > 0) parts.push(`${formatBytes(t.summedBytes!)} of partial sums to all-reduce`);
  if (parts.length === 0) parts.push("no communication");
  return parts.join(" and ");
}

/**
 * One line on why the chosen configuration beats the runner-up, in bytes when communication decides it
 * ("411 MB of gradients to all-reduce vs 26 MB of activations to gather"), else in compute time.
 */
export function layerReason(
  chosen: ConfigTraffic,
  runner: ConfigTraffic | undefined,
  extraSeconds: number,
  /** What the runner-up adds (or saves) by moving the whole plan onto (or off) the plan executor. */
  executorSeconds = 0,
): string {
  if (!runner) return `${configLabel(chosen.config)}: the only configuration allowed`;
  const reason = configReason(chosen, runner, extraSeconds);
  if (executorSeconds === 0) return reason;
  const b = configLabel(runner.config);
  return executorSeconds > 0
    ? `${reason}; ${b} would run the plan on the plan executor, layer by layer (+${formatMs(executorSeconds * 1000)})`
    : `${reason}; ${b} would run the plan on the data-parallel engine (${formatMs(executorSeconds * 1000)})`;
}

function configReason(chosen: ConfigTraffic, runner: ConfigTraffic, extraSeconds: number): string {
  const a = configLabel(chosen.config);
  const b = configLabel(runner.config);
  const commDiffers =
    chosen.gradBytes !== runner.gradBytes ||
    chosen.movedBytes !== runner.movedBytes ||
    chosen.summedBytes !== runner.summedBytes;
  const computeGain = runner.compute - chosen.compute;
  if (extraSeconds === 0) return `${a} ties with ${b}; the search keeps the first (data-parallel first)`;
  if (commDiffers && Math.abs(computeGain) < Math.abs(extraSeconds) / 2) {
    return `${b} has ${traffic(runner)} vs ${traffic(chosen)} for ${a}`;
  }
  return `${b} computes ${formatMs(runner.compute * 1000)} vs ${formatMs(chosen.compute * 1000)} for ${a}; ${traffic(runner)} vs ${traffic(chosen)}`;
}
