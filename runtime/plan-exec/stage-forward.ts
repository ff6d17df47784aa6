import * as tf from "@tensorflow/tfjs";
import { setStepContext, stepContext } from "../layers/index.js";
import { shardBounds } from "../worker/shards.js";
import type { ForwardOp } from "./forward-op.js";
import { channelBounds } from "./weight-shards.js";
import type { HeldLayer } from "./stage-layers.js";
import type { LayerRole } from "./stage-layout.js";

/** Tensors by the plan's layer names. */
export type Values = Map<string, tf.Tensor>;

/** What a stage's forward pass reads of its runner. */
export interface StageForward {
  readonly held: readonly HeldLayer[];
  /** Every layer's output shape (per sample). */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** This device's rank among the stage's devices. */
  readonly stageRank: number;
}

/**
 * How a value lies on the stage's ranks when cut: rows into `d` blocks, channels (the last axis) into `m`, and
 * each stage rank's (row block, channel block). Every rank's block is distinct: together they tile the tensor.
 */
interface Form {
  readonly d: number;
  readonly m: number;
  readonly blocks: readonly (readonly [number, number])[];
}

/**
 * A value inside the stage: whole and replicated (`form` null), or this device's block of it; `partial`: the
 * block is this device's share of a sum over the model group (row-parallel, head-split layers), whole across
 * its channels, added up by an all-reduce where the whole is needed.
 */
interface Held {
  readonly tensor: tf.Tensor;
  readonly form: Form | null;
  readonly partial?: boolean;
}

function sameForm(a: Form, b: Form): boolean {
  return (
    a.d === b.d &&
    a.m === b.m &&
    a.blocks.length === b.blocks.length &&
    a.blocks.every(([r, c], i) => r === b.blocks[i]![0] && c === b.blocks[i]![1])
  );
}

/** A block layer's cut: its rows when row-sliced; its channels when `channels` (what it takes or makes). */
function formOf(role: LayerRole, channels: boolean): Form {
  const d = role.rowSliced ? role.dataDegree : 1;
  const m = channels ? role.modelDegree : 1;
  return { d, m, blocks: role.blocks.map(([r, c]) => [d > 1 ? r : 0, m > 1 ? c : 0] as const) };
}

/**
 * The stage's forward pass as a sequence of ops (`ForwardOp`), each yielded to a driver that runs it and
 * passes its result back: `StageRunner` in one tfjs tape, or `LayerTape` (runtime/plan-exec/layer-tape.ts) op by
 * op with its own backward, where tensors are read back only asynchronously (WebGPU).
 * A row-sliced layer (data degree d > 1) computes this device's rows only; a split layer (dense, conv2d with
 * m > 1) its channel block from the whole input; a channelwise layer (activation, pooling, dropout, batchnorm,
 * add) its block of rows and channels. A block stays a block while the next layers take the same cut (one
 * segment, no communication) and is all-gathered only where a layer needs more of it (a split or replicated
 * layer, softmax, a stage output, the loss).
 */
export function* stageForwardOps(
  stage: StageForward,
  inputs: Values,
  rows: number,
  training: boolean,
  wanted: readonly string[],
  /** A column-parallel output layer whose loss is scored on its blocks: its logits block is returned as is. */
  logitsOf?: string,
): Generator<ForwardOp, Values, tf.Tensor> {
  const rank = stage.stageRank;
  const values = new Map<string, Held>([...inputs].map(([n, t]) => [n, { tensor: t, form: null }]));
  const gatherOp = (x: tf.Tensor, form: Form, shape: readonly number[]): ForwardOp => ({
    kind: "gather",
    x,
    grid: { shape: [rows, ...shape], dataDegree: form.d, modelDegree: form.m, blocks: form.blocks },
  });
  // Partial sums over the model group, each rank's rows (whole channels) → the whole tensor on every rank.
  const reduceOp = (x: tf.Tensor, form: Form, shape: readonly number[]): ForwardOp => ({
    kind: "reduce",
    x,
    grid: { shape: [rows, ...shape], dataDegree: form.d, modelDegree: 1, blocks: form.blocks },
  });
  function* whole(name: string): Generator<ForwardOp, tf.Tensor, tf.Tensor> {
    const v = values.get(name)!;
    if (v.form === null) return v.tensor;
    const shape = stage.shapes.get(name)!;
    const full = yield v.partial === true
      ? reduceOp(v.tensor, v.form, shape)
      : gatherOp(v.tensor, v.form, shape);
    values.set(name, { tensor: full, form: null });
    return full;
  }
  /** This device's block of `name` cut as `need`: as it lies, or sliced from the whole tensor. */
  function* take(name: string, need: Form): Generator<ForwardOp, tf.Tensor, tf.Tensor> {
    const v = values.get(name)!;
    if (v.form !== null && v.partial !== true && sameForm(v.form, need)) return v.tensor;
    // Each rank's gradient is its block's only: summed over the stage, it is the whole tensor's (token ids
    // have none).
    const full = yield* whole(name);
    const x = full.dtype === "int32" ? full : yield { kind: "sum", x: full };
    if (need.d === 1 && need.m === 1) return x;
    const [bd, bm] = need.blocks[rank]!;
    const [r0, r1] = shardBounds(rows, need.d, bd);
    const [c0, c1] = channelBounds(x.shape.at(-1)!, need.m, bm);
    const begin = x.shape.map(() => 0);
    const size = [...x.shape];
    [begin[0], size[0]] = [r0, r1 - r0];
    [begin[size.length - 1], size[size.length - 1]] = [c0, c1 - c0];
    return yield { kind: "apply", inputs: [x], fn: ([t]) => tf.slice(t!, begin, size), weighted: false };
  }
  for (const held of stage.held) {
    const { role, layer, activation } = held;
    const l = role.layer;
    if (layer === null) continue;
    const weighted = layer.trainableWeights.length > 0;
    if (!role.sharded && !role.rowSliced) {
      const args: tf.Tensor[] = [];
      for (const n of l.inputs) args.push(yield* whole(n));
      const y = yield {
        kind: "apply",
        inputs: args,
        fn: (xs) => layer.apply(xs.length === 1 ? xs[0]! : xs, { training }) as tf.Tensor,
        weighted,
      };
      values.set(l.name, { tensor: y, form: null });
      continue;
    }
    // Row-parallel layers read a channel block; column-parallel and head-split ones the whole input.
    const need = formOf(role, role.channelwise || role.mode === "row");
    // Partial sums are whole across channels; every other sharded layer writes its channel block.
    const made = formOf(role, role.sharded && !role.partial);
    const [r0, r1] = shardBounds(rows, need.d, need.blocks[rank]![0]);
    const args: tf.Tensor[] = [];
    for (const n of l.inputs) args.push(yield* take(n, need));
    const channels = l.outputShape.at(-1)!;
    const [c0, c1] =
      role.sharded && !role.partial
        ? channelBounds(channels, role.modelDegree, role.modelIndex)
        : [0, channels];
    let block = yield {
      kind: "apply",
      inputs: args,
      fn: (xs) =>
        r1 > r0
          ? applyBlock(held, xs, training, r0, role.channelwise ? { offset: c0, total: channels } : undefined)
          : // A micro-batch smaller than d leaves some devices no rows: an empty block, still a function of
            // the inputs and parameters, so every device's tape, and so its collectives, have the same shape.
            tf.add(
              tf.zeros([0, ...l.outputShape.slice(0, -1), c1 - c0]),
              tf.mul(
                tf.addN([
                  ...xs.filter((a) => a.dtype === "float32").map((a) => tf.sum(a)),
                  ...layer.trainableWeights.map((w) => tf.sum(w.read())),
                ]),
                0,
              ),
            ),
      weighted,
    };
    if (l.name === logitsOf) {
      // Before its softmax, which the sharded loss computes itself (runtime/plan-exec/sharded-scoring.ts).
      values.set(l.name, { tensor: block, form: made });
      continue;
    }
    if (role.partial && activation === null) {
      values.set(l.name, { tensor: block, form: made, partial: true });
      continue;
    }
    if (role.partial || (activation !== null && !activation.perChannel)) {
      // Softmax sees every channel, and an activation of partial sums needs their sum: made whole first.
      const full = yield role.partial
        ? reduceOp(block, made, l.outputShape)
        : gatherOp(block, made, l.outputShape);
      const act = activation!.layer;
      const y = yield {
        kind: "apply",
        inputs: [full],
        fn: ([t]) => act.apply(t!) as tf.Tensor,
        weighted: false,
      };
      values.set(l.name, { tensor: y, form: null });
      continue;
    }
    if (activation !== null)
      block = yield {
        kind: "apply",
        inputs: [block],
        fn: ([t]) => activation.layer.apply(t!) as tf.Tensor,
        weighted: false,
      };
    values.set(l.name, { tensor: block, form: made });
  }
  const out: Values = new Map();
  for (const n of wanted) out.set(n, n === logitsOf ? values.get(n)!.tensor : yield* whole(n));
  return out;
}

/**
 * Applies a layer to rows starting at `r0` of the micro-batch (dropout keys its masks by global row) and, for
 * a channel block, to channels from `channels.offset` of `channels.total` (and by global channel).
 */
function applyBlock(
  { layer, call }: HeldLayer,
  args: tf.Tensor[],
  training: boolean,
  r0: number,
  channels: { offset: number; total: number } | undefined,
): tf.Tensor {
  const ctx = stepContext();
  setStepContext({ ...ctx, shardOffset: ctx.shardOffset + r0, ...(channels ? { channels } : {}) });
  try {
    if (call) return call(args);
    return layer!.apply(args.length === 1 ? args[0]! : args, { training }) as tf.Tensor;
  } finally {
    setStepContext(ctx);
  }
}
