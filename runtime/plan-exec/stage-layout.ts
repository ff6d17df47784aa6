import type { Plan, PlanLayer } from "../../compiler/plan/index.js";
import { type SplitMode, layerLayout } from "../../compiler/plan/layer-layout.js";

/** How one worker runs one layer of its stage. */
export interface LayerRole {
  readonly layer: PlanLayer;
  /** How the plan cuts it (compiler/plan/layer-layout.ts): column, row, heads, channelwise or replicated. */
  readonly mode: SplitMode;
  /** Its output is this device's partial sum of the whole (`row`, `heads`). */
  readonly partial: boolean;
  /**
   * A contraction (dense, conv2d) whose parameters are cut along the last axis into `modelDegree` shards: it
   * needs its whole input and produces a channel block.
   */
  readonly split: boolean;
  /** A per-channel op run on a channel block of its inputs (and of its parameters: batchnorm). */
  readonly channelwise: boolean;
  /** `split` or `channelwise`: whatever weights it has are this device's shard along their last axis. */
  readonly sharded: boolean;
  /** Computed on this worker's rows only (data degree > 1), then gathered. */
  readonly rowSliced: boolean;
  readonly dataDegree: number;
  readonly modelDegree: number;
  /** This worker's block: data index (rows) and model index (channels). */
  readonly dataIndex: number;
  readonly modelIndex: number;
  /** Every stage rank's (data index, model index), in stage-rank order. */
  readonly blocks: readonly (readonly [number, number])[];
}

export interface StageInfo {
  readonly stage: number;
  /** Sorted; a device's stage rank is its index here. */
  readonly devices: readonly number[];
  readonly layers: readonly PlanLayer[];
  /** Tensors (producer layer names) this stage reads from earlier stages. */
  readonly inputs: readonly string[];
  /** Tensors this stage produces for later stages, with the consuming stages. */
  readonly outputs: readonly { readonly tensor: string; readonly toStages: readonly number[] }[];
}

export function stagesOf(plan: Plan): StageInfo[] {
  const stageOf = new Map(plan.layers.map((l) => [l.name, l.placement.stage]));
  const count = Math.max(...plan.layers.map((l) => l.placement.stage)) + 1;
  const stages: StageInfo[] = [];
  for (let s = 0; s < count; s++) {
    const layers = plan.layers.filter((l) => l.placement.stage === s);
    const devices = [...new Set(layers.flatMap((l) => l.placement.devices))].sort((a, b) => a - b);
    const inputs = new Set<string>();
    for (const l of layers) for (const i of l.inputs) if ((stageOf.get(i) ?? s) < s) inputs.add(i);
    const outputs = layers
      .map((l) => {
        const to = plan.layers
          .filter((c) => c.placement.stage > s && c.inputs.includes(l.name))
          .map((c) => c.placement.stage);
        return { tensor: l.name, toStages: [...new Set(to)].sort((a, b) => a - b) };
      })
      .filter((o) => o.toStages.length > 0);
    stages.push({ stage: s, devices, layers, inputs: [...inputs], outputs });
  }
  return stages;
}

export function isSplit(layer: PlanLayer): boolean {
  return layerLayout(layer).cut !== undefined;
}

export function roleOf(layer: PlanLayer, stageDevices: readonly number[], device: number): LayerRole {
  const { dataDegree, modelDegree, devices } = layer.placement;
  // The one rule the torch emitter reads too (compiler/plan/layer-layout.ts).
  const { mode, partial, cut, channelwise, sharded, rowSliced } = layerLayout(layer);
  const split = cut !== undefined;
  const blockOf = (d: number): [number, number] => {
    const p = devices.indexOf(d);
    // The planner groups devices holding one shard as positions p ≡ k (mod m): see its gradient buckets.
    return [Math.floor(p / modelDegree), p % modelDegree];
  };
  const [dataIndex, modelIndex] = blockOf(device);
  return {
    layer,
    mode,
    partial,
    split,
    channelwise,
    sharded,
    rowSliced,
    dataDegree,
    modelDegree,
    dataIndex,
    modelIndex,
    blocks: stageDevices.map(blockOf),
  };
}

/** Whether this device reports the layer's weights (one copy of each shard: data index 0, else stage rank 0). */
export function reportsLayer(role: LayerRole, stageRank: number): boolean {
  if (role.rowSliced) return role.dataIndex === 0;
  return role.sharded || stageRank === 0;
}

/** Elements per sample of a layer's output. */
export function sampleSize(layer: PlanLayer): number {
  return layer.outputShape.reduce((a, b) => a * b, 1);
}
