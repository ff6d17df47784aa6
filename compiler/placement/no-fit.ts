import type { Graph } from "../ir/graph.js";
import type { PassContext } from "../diagnostics/pass-context.js";
import { estimateCost, type CostTable } from "../cost/estimate-cost.js";
import type { PlaceOptions } from "./placement-types.js";
import { formatBytes } from "./format.js";

/** The least memory a device needs on `table.devices` devices under the strategy (a lower bound for auto). */
function leastMemory(table: CostTable, strategy: PlaceOptions["strategy"]): number {
  const n = table.devices;
  const fixed =
    strategy === "data"
      ? 0
      : strategy === "model"
        ? table.configs.findIndex((c) => c.d === 1 && c.m === n)
        : -1;
  let total = 0;
  for (const costs of table.layer) {
    total += fixed >= 0 ? costs[fixed]!.memory : Math.min(...costs.map((c) => c.memory));
  }
  return total;
}

/** MG3001 at the model: the per-device estimate, and a device count that would fit when one does. */
export function reportNoFit(
  graph: Graph,
  table: CostTable,
  options: PlaceOptions,
  ctx: PassContext,
  hinted: boolean,
  /** How strategy auto would fit on the same devices (an explicit strategy's error), when it does. */
  autoFits?: string,
): void {
  const { profile, devices, strategy } = options;
  const needs = leastMemory(table, strategy);
  let hint: string;
  if (hinted && needs <= profile.memoryBytes) {
    ctx.diagnostics.report("MG3008", graph.span, [formatBytes(profile.memoryBytes), devices, profile.name]);
    return;
  }
  if (autoFits !== undefined) {
    ctx.diagnostics.report(
      "MG3001",
      graph.span,
      [graph.model, formatBytes(needs), devices, profile.name, strategy, formatBytes(profile.memoryBytes)],
      { hint: `strategy auto fits on ${devices} × ${profile.name}: ${autoFits} (--strategy auto)` },
    );
    return;
  }
  let fitting: number | undefined;
  // Sharding is what makes more devices help, so the count is the one where auto's least memory fits.
  for (let n = strategy === "auto" ? devices * 2 : devices; n <= 65536 && fitting === undefined; n *= 2) {
    const t = estimateCost(graph, profile, n, options.batch, options.optimizerSlots);
    if (leastMemory(t, "auto") <= profile.memoryBytes) fitting = n;
  }
  const how = strategy === "auto" ? "" : " with strategy auto";
  if (fitting !== undefined)
    hint = `it would fit on ${fitting} × ${profile.name}${how} (--devices ${fitting})`;
  else hint = "no device count up to 65536 fits: reduce the batch or the largest layers";
  if (strategy !== "auto") hint += "; strategy auto can shard parameters and split activations per layer";
  ctx.diagnostics.report(
    "MG3001",
    graph.span,
    [graph.model, formatBytes(needs), devices, profile.name, strategy, formatBytes(profile.memoryBytes)],
    { hint },
  );
}
