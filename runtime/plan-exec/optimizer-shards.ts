import type * as tf from "@tensorflow/tfjs";
import type { NamedArray } from "../worker/optimizer.js";
import { concatAxis, cutPiece, pieceShape } from "./weight-shards.js";

/** One optimizer slot (`/m`, `/v`, ...) of one weight shard a device holds. */
export interface SlotShard {
  /** Index among the model's trainable weights (the `w3` of a portable name). */
  readonly weight: number;
  /** Shard k of `of` along `axis` (null: whole). */
  readonly index: number;
  readonly of: number;
  readonly axis: number | null;
  readonly suffix: string;
  readonly data: Float32Array;
}

/**
 * A device's optimizer state by portable weight index: `owners[i]` = the model trainable-weight index of local
 * variable i; `exported` marks the variables whose copy this device reports (one per shard).
 */
export async function exportSlotShards(
  optimizer: tf.Optimizer,
  vars: readonly tf.Variable[],
  owners: readonly {
    weight: number;
    index: number;
    of: number;
    axis: number | null;
    exported: boolean;
  }[],
): Promise<{ iterations: NamedArray | null; slots: SlotShard[] }> {
  const local = new Map(vars.map((v, i) => [v.name, i]));
  let iterations: NamedArray | null = null;
  const slots: SlotShard[] = [];
  for (const { name, tensor } of await optimizer.getWeights()) {
    const slash = name.lastIndexOf("/");
    const i = slash < 0 ? undefined : local.get(name.slice(0, slash));
    const data = Float32Array.from(await tensor.data());
    if (i === undefined) {
      iterations = { name, shape: tensor.shape, data };
      continue;
    }
    const owner = owners[i]!;
    const { weight, index, of, axis } = owner;
    if (owner.exported) slots.push({ weight, index, of, axis, suffix: name.slice(slash), data });
  }
  return { iterations, slots };
}

/**
 * The 1-device layout `exportOptimizerState` writes: iterations first, then per slot kind (in the order the
 * optimizer lists them) every weight in model order, shards joined along their axis.
 */
export function joinSlotShards(
  iterations: NamedArray | null,
  slots: readonly SlotShard[],
  shapes: readonly (readonly number[])[],
): NamedArray[] {
  const out: NamedArray[] = iterations === null ? [] : [iterations];
  const suffixes = [...new Set(slots.map((s) => s.suffix))];
  for (const suffix of suffixes) {
    for (let weight = 0; weight < shapes.length; weight++) {
      const parts = slots
        .filter((s) => s.suffix === suffix && s.weight === weight)
        .sort((a, b) => a.index - b.index);
      if (parts.length === 0) continue;
      const shape = shapes[weight]!;
      const axis = parts[0]!.axis;
      const data =
        parts.length === 1 || axis === null
          ? parts[0]!.data
          : concatAxis(
              parts.map((p) => p.data),
              shape,
              axis,
            );
      out.push({ name: `w${weight}${suffix}`, shape, data });
    }
  }
  return out;
}

/**
 * The slice of a 1-device optimizer state a device needs, renamed to its local variable indices (in the
 * state's own order, which is the order tfjs's `setWeights` expects).
 */
export function sliceSlotState(
  state: readonly NamedArray[],
  owners: readonly { weight: number; index: number; of: number; axis: number | null }[],
): NamedArray[] {
  const local = new Map(owners.map((o, i) => [o.weight, i]));
  const out: NamedArray[] = [];
  for (const s of state) {
    const m = /^w(\d+)(\/.*)$/.exec(s.name);
    if (m === null) {
      out.push(s);
      continue;
    }
    const i = local.get(Number(m[1]));
    if (i === undefined) continue;
    const { index, of, axis } = owners[i]!;
    const piece = { index, of, axis: of === 1 ? null : axis, onlyFirst: false };
    out.push({
      name: `w${i}${m[2]}`,
      shape: pieceShape(s.shape, piece),
      data: cutPiece(s.data, s.shape, piece),
    });
  }
  return out;
}
