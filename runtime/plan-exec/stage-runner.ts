import * as tf from "@tensorflow/tfjs";
import type { Loss } from "../../compiler/ir/config.js";
import { type Plan, microbatchProgram } from "../../compiler/plan/index.js";
import { type Collective, LocalCollective } from "../collectives/index.js";
import { setStepContext, stepContext } from "../layers/index.js";
import { Scoring } from "../worker/scoring.js";
import { shardBounds } from "../worker/shards.js";
import { channelBounds } from "./last-axis.js";
import { sumGradients, gatherBlocks } from "./block-ops.js";
import type { ForwardOp } from "./forward-op.js";
import { LayerTape } from "./layer-tape.js";
import { readFloats } from "../backend/read-floats.js";
import type { PointToPoint } from "./mailbox.js";
import { type DataView, gatherRows } from "../worker/shared-dataset.js";
import { type HeldLayer, holdLayer } from "./stage-layers.js";
import { type LayerRole, type StageInfo, roleOf, stagesOf } from "./stage-layout.js";

export interface RunnerParts {
  readonly device: number;
  readonly plan: Plan;
  readonly collective: Collective;
  readonly mailbox: PointToPoint;
  readonly loss: Loss;
  readonly metrics: readonly string[];
  readonly seed: number;
  readonly train: DataView;
}

type Values = Map<string, tf.Tensor>;

/**
 * How a value lies on the stage's ranks when cut: rows into `d` blocks, channels (the last axis) into `m`, and
 * each stage rank's (row block, channel block). Every rank's block is distinct: together they tile the tensor.
 */
interface Form {
  readonly d: number;
  readonly m: number;
  readonly blocks: readonly (readonly [number, number])[];
}

/** A value inside the stage: whole and replicated (`form` null), or this device's block of it. */
interface Held {
  readonly tensor: tf.Tensor;
  readonly form: Form | null;
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
 * Exactly 0, but depending on a variable: a device whose row block of a micro-batch is empty computes no path
 * from its parameters to the loss, and tfjs refuses gradients when no variable is connected at all (unconnected
 * ones just get none). The smallest variable: summing every one cost a read of all parameters, and a
 * parameter-sized zero gradient to add, per micro-batch.
 */
function connect(list: readonly tf.Variable[]): tf.Scalar {
  const smallest = list.reduce((a, b) => (b.size < a.size ? b : a));
  return tf.mul(tf.sum(smallest), 0) as tf.Scalar;
}

/**
 * One worker's share of a plan: the layers of its stage (shards where split), run forward and backward over the
 * micro-batches of each step. Inside the stage a tensor between layers is whole and replicated or this device's
 * block of it (see `forward`); a whole tensor cut into blocks has its gradient summed over the stage. Across
 * stages, the plan's micro-batch program (1F1B or GPipe): an earlier stage's backward recomputes its forward
 * (re-materialisation) to take the vector-Jacobian product with the gradient received.
 */
export class StageRunner {
  readonly info: StageInfo;
  readonly stageCount: number;
  readonly stageRank: number;
  readonly held: HeldLayer[];
  /** Trainable variables of the held layers, in held order. */
  readonly vars: tf.Variable[];
  private readonly outputName: string;
  /** Tensors sent to later stages. */
  private readonly outputNames: string[];
  private readonly shapes: Map<string, readonly number[]>;
  private readonly microbatches: number;
  /** The loss and metrics, scored by the last stage on the model's output. */
  private readonly scoring: Scoring;

  constructor(private readonly parts: RunnerParts) {
    const stages = stagesOf(parts.plan);
    this.stageCount = stages.length;
    this.info = stages.find((s) => s.devices.includes(parts.device))!;
    this.stageRank = this.info.devices.indexOf(parts.device);
    const shapes = new Map(parts.plan.layers.map((l) => [l.name, l.outputShape]));
    this.held = this.info.layers.map((l) =>
      holdLayer(
        roleOf(l, this.info.devices, parts.device),
        l.inputs.map((i) => shapes.get(i)!),
      ),
    );
    this.vars = this.held.flatMap((h) =>
      (h.layer?.trainableWeights ?? []).map((w) => w.read() as tf.Variable),
    );
    this.outputName = parts.plan.graph.outputs[0]!;
    this.outputNames = this.info.outputs.map((o) => o.tensor);
    this.shapes = new Map(parts.plan.layers.map((l) => [l.name, l.outputShape]));
    this.microbatches = Math.max(1, parts.plan.schedule.microbatches);
    this.scoring = new Scoring(parts.loss, parts.metrics, this.shapes.get(this.outputName)!);
    if (this.info.stage === this.stageCount - 1)
      this.scoring.checkLabels(parts.train.labelShape, parts.train.y instanceof Int32Array);
  }

  /** Every weight of the held layers (trainable and not, per layer in `layer.weights` order). */
  weightsOf(h: HeldLayer): tf.LayerVariable[] {
    return h.layer?.weights ?? [];
  }

  /**
   * The stage's forward pass on one micro-batch of `rows` rows; the whole, replicated values of `wanted`,
   * computed in this thread with the collectives inside tfjs's tape (`runForwardOp`).
   */
  private forward(inputs: Values, rows: number, training: boolean, wanted: readonly string[]): Values {
    const ops = this.forwardOps(inputs, rows, training, wanted);
    let next = ops.next();
    while (!next.done) next = ops.next(this.runForwardOp(next.value));
    return next.value;
  }

  /** One forward op as the synchronous path runs it: gathers and gradient sums as differentiable tfjs ops. */
  private runForwardOp(op: ForwardOp): tf.Tensor {
    switch (op.kind) {
      case "apply":
        return op.fn(op.inputs);
      case "gather":
        return gatherBlocks(op.x, op.grid, this.parts.collective, this.stageRank);
      case "sum":
        return sumGradients(op.x, this.parts.collective);
    }
  }

  /**
   * The stage's forward pass as a sequence of ops (`ForwardOp`), each yielded to a driver that runs it and
   * passes its result back: `forward` in one tfjs tape, or `LayerTape` (runtime/plan-exec/layer-tape.ts) op by
   * op with its own backward, where tensors are read back only asynchronously (WebGPU).
   * A row-sliced layer (data degree d > 1) computes this device's rows only; a split layer (dense, conv2d with
   * m > 1) its channel block from the whole input; a channelwise layer (activation, pooling, dropout, batchnorm,
   * add) its block of rows and channels. A block stays a block while the next layers take the same cut (one
   * segment, no communication) and is all-gathered only where a layer needs more of it (a split or replicated
   * layer, softmax, a stage output, the loss).
   */
  *forwardOps(
    inputs: Values,
    rows: number,
    training: boolean,
    wanted: readonly string[],
  ): Generator<ForwardOp, Values, tf.Tensor> {
    const rank = this.stageRank;
    const values = new Map<string, Held>([...inputs].map(([n, t]) => [n, { tensor: t, form: null }]));
    const gatherOp = (x: tf.Tensor, form: Form, shape: readonly number[]): ForwardOp => ({
      kind: "gather",
      x,
      grid: { shape: [rows, ...shape], dataDegree: form.d, modelDegree: form.m, blocks: form.blocks },
    });
    function* whole(this: StageRunner, name: string): Generator<ForwardOp, tf.Tensor, tf.Tensor> {
      const v = values.get(name)!;
      if (v.form === null) return v.tensor;
      const full = yield gatherOp(v.tensor, v.form, this.shapes.get(name)!);
      values.set(name, { tensor: full, form: null });
      return full;
    }
    /** This device's block of `name` cut as `need`: as it lies, or sliced from the whole tensor. */
    function* take(this: StageRunner, name: string, need: Form): Generator<ForwardOp, tf.Tensor, tf.Tensor> {
      const v = values.get(name)!;
      if (v.form !== null && sameForm(v.form, need)) return v.tensor;
      // Each rank's gradient is its block's only: summed over the stage, it is the whole tensor's.
      const x = yield { kind: "sum", x: yield* whole.call(this, name) };
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
    for (const { role, layer, activation } of this.held) {
      const l = role.layer;
      if (layer === null) continue;
      const weighted = layer.trainableWeights.length > 0;
      if (!role.sharded && !role.rowSliced) {
        const args: tf.Tensor[] = [];
        for (const n of l.inputs) args.push(yield* whole.call(this, n));
        const y = yield {
          kind: "apply",
          inputs: args,
          fn: (xs) => layer.apply(xs.length === 1 ? xs[0]! : xs, { training }) as tf.Tensor,
          weighted,
        };
        values.set(l.name, { tensor: y, form: null });
        continue;
      }
      const need = formOf(role, role.channelwise);
      const made = formOf(role, role.sharded);
      const [r0, r1] = shardBounds(rows, need.d, need.blocks[rank]![0]);
      const args: tf.Tensor[] = [];
      for (const n of l.inputs) args.push(yield* take.call(this, n, need));
      const channels = l.outputShape.at(-1)!;
      const [c0, c1] = role.sharded
        ? channelBounds(channels, role.modelDegree, role.modelIndex)
        : [0, channels];
      let block = yield {
        kind: "apply",
        inputs: args,
        fn: (xs) =>
          r1 > r0
            ? this.applyBlock(
                layer,
                xs,
                training,
                r0,
                role.channelwise ? { offset: c0, total: channels } : undefined,
              )
            : // A micro-batch smaller than d leaves some devices no rows: an empty block, still a function of
              // the inputs and parameters, so every device's tape, and so its collectives, have the same shape.
              tf.add(
                tf.zeros([0, ...l.outputShape.slice(0, -1), c1 - c0]),
                tf.mul(
                  tf.addN([
                    ...xs.map((a) => tf.sum(a)),
                    ...layer.trainableWeights.map((w) => tf.sum(w.read())),
                  ]),
                  0,
                ),
              ),
        weighted,
      };
      if (activation !== null && !activation.perChannel) {
        // Softmax sees every channel: gathered first.
        const full = yield gatherOp(block, made, l.outputShape);
        const y = yield {
          kind: "apply",
          inputs: [full],
          fn: ([t]) => activation.layer.apply(t!) as tf.Tensor,
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
    for (const n of wanted) out.set(n, yield* whole.call(this, n));
    return out;
  }

  /**
   * Applies a layer to rows starting at `r0` of the micro-batch (dropout keys its masks by global row) and, for
   * a channel block, to channels from `channels.offset` of `channels.total` (and by global channel).
   */
  private applyBlock(
    layer: tf.layers.Layer,
    args: tf.Tensor[],
    training: boolean,
    r0: number,
    channels: { offset: number; total: number } | undefined,
  ): tf.Tensor {
    const ctx = stepContext();
    setStepContext({ ...ctx, shardOffset: ctx.shardOffset + r0, ...(channels ? { channels } : {}) });
    try {
      return layer.apply(args.length === 1 ? args[0]! : args, { training }) as tf.Tensor;
    } finally {
      setStepContext(ctx);
    }
  }

  private context(step: number, lo: number, rows: number): void {
    setStepContext({
      collective: new LocalCollective(),
      step,
      globalBatch: rows,
      shardOffset: lo,
      seed: this.parts.seed,
    });
  }

  /**
   * One optimizer step's gradients over the global batch `indices`: summed into `grads` (loss = Σ per-sample
   * loss ÷ global batch), and the loss and metric sums (last stage only; 0 elsewhere).
   */
  gradients(
    step: number,
    indices: ArrayLike<number>,
    grads: tf.Tensor[],
  ): { lossSum: number; metricSums: number[] } {
    const B = indices.length;
    const M = Math.min(this.microbatches, B);
    const seq = step + 1;
    const { mailbox } = this.parts;
    const last = this.info.stage === this.stageCount - 1;
    const sums = new Array<number>(this.scoring.width).fill(0);
    const accumulate = (g: tf.NamedTensorMap) => this.accumulate(grads, new Map(Object.entries(g)));
    const inputsFor = (micro: number, lo: number, hi: number) =>
      this.receiveInputs(indices, micro, seq, lo, hi);
    /** Variables standing for the received inputs, so the VJP reaches them. */
    const asVariables = (values: Values): Map<string, tf.Variable> =>
      new Map(this.info.inputs.map((t) => [t, tf.variable(values.get(t)!, true)]));
    const sendInputGrads = (micro: number, inVars: Map<string, tf.Variable>, g: tf.NamedTensorMap) => {
      if (this.stageRank !== 0) return;
      for (const [t, v] of inVars) {
        const grad = g[v.name];
        const data = grad ? (grad.dataSync() as Float32Array) : new Float32Array(v.size);
        mailbox.send(t, this.info.stage, "backward", micro, seq, data);
      }
    };
    const stashed = new Map<number, Values>();
    /** The last stage: forward, loss and backward of one micro-batch together. */
    const lastMicro = (micro: number) => {
      const [lo, hi] = shardBounds(B, M, micro);
      const inputs = inputsFor(micro, lo, hi);
      this.context(step, lo, hi - lo);
      tf.tidy(() => {
        const inVars = asVariables(inputs);
        const [, y] = gatherRows(this.parts.train, indices, lo, hi);
        const list = [...this.vars, ...inVars.values()];
        const { grads: g } = tf.variableGrads(() => {
          const values = this.forward(new Map([...inputs, ...inVars]), hi - lo, true, [this.outputName]);
          const pred = values.get(this.outputName)!;
          const { loss, metrics } = this.scoring.perSample(y, pred);
          const batchSums = tf.stack([loss, ...metrics].map((t) => tf.sum(t))).dataSync();
          batchSums.forEach((s, i) => (sums[i]! += s));
          return tf.add(tf.div(tf.sum(loss), B), connect(list)) as tf.Scalar;
        }, list);
        accumulate(g);
        sendInputGrads(micro, inVars, g);
        tf.dispose([...inVars.values()]);
      });
      tf.dispose([...inputs.values()]);
    };
    /** An earlier stage's forward of one micro-batch: outputs sent on, inputs stashed for the backward. */
    const forwardMicro = (micro: number) => {
      const [lo, hi] = shardBounds(B, M, micro);
      const inputs = inputsFor(micro, lo, hi);
      this.context(step, lo, hi - lo);
      tf.tidy(() => {
        const values = this.forward(inputs, hi - lo, true, this.outputNames);
        if (this.stageRank !== 0) return;
        for (const o of this.info.outputs)
          for (const to of o.toStages)
            mailbox.send(
              o.tensor,
              to,
              "forward",
              micro,
              seq,
              values.get(o.tensor)!.dataSync() as Float32Array,
            );
      });
      stashed.set(micro, inputs);
    };
    /** An earlier stage's backward of one micro-batch: its forward recomputed, the VJP with the dy received. */
    const backwardMicro = (micro: number) => {
      const [lo, hi] = shardBounds(B, M, micro);
      const inputs = stashed.get(micro)!;
      stashed.delete(micro);
      this.context(step, lo, hi - lo);
      tf.tidy(() => {
        const dys = this.receiveOutputGrads(micro, seq, hi - lo);
        const inVars = asVariables(inputs);
        const list = [...this.vars, ...inVars.values()];
        if (list.length === 0) return;
        const restore = this.snapshotStatistics();
        const { grads: g } = tf.variableGrads(() => {
          const values = this.forward(new Map([...inputs, ...inVars]), hi - lo, true, this.outputNames);
          const terms = this.info.outputs.map((o, i) => tf.sum(tf.mul(values.get(o.tensor)!, dys[i]!)));
          return tf.add(tf.addN(terms), connect(list)) as tf.Scalar;
        }, list);
        restore();
        accumulate(g);
        sendInputGrads(micro, inVars, g);
        tf.dispose([...inVars.values()]);
      });
      tf.dispose([...inputs.values()]);
    };
    for (const { op, micro } of microbatchProgram(
      this.parts.plan.schedule.microbatchOrder,
      this.info.stage,
      this.stageCount,
      M,
    )) {
      if (last) lastMicro(micro);
      else if (op === "forward") forwardMicro(micro);
      else backwardMicro(micro);
    }
    return { lossSum: sums[0]!, metricSums: sums.slice(1) };
  }

  /**
   * `gradients` on a backend that reads tensors back only asynchronously (WebGPU): the same micro-batch program,
   * each micro-batch's forward and backward run op by op by a `LayerTape` (collectives between ops, not inside
   * a tape). Tensors live in one engine scope per micro-batch: nothing else runs in this process meanwhile.
   */
  async gradientsAsync(
    step: number,
    indices: ArrayLike<number>,
    grads: tf.Tensor[],
  ): Promise<{ lossSum: number; metricSums: number[] }> {
    const B = indices.length;
    const M = Math.min(this.microbatches, B);
    const seq = step + 1;
    const { mailbox, collective } = this.parts;
    const first = this.info.stage === 0;
    const last = this.info.stage === this.stageCount - 1;
    const sums = new Array<number>(this.scoring.width).fill(0);
    const inputName = this.info.layers.find((l) => l.op === "input")?.name;
    /** A tape for one micro-batch's pass: the data batch is no variable (the float ids of an embedding). */
    const tape = (inputs: Values) => {
      const t = new LayerTape(collective, this.stageRank, this.vars);
      if (first && inputName !== undefined) t.constant(inputs.get(inputName)!);
      return t;
    };
    const accumulate = (weights: ReadonlyMap<string, tf.Tensor>) => this.accumulate(grads, weights);
    const inputsFor = (micro: number, lo: number, hi: number) =>
      this.receiveInputs(indices, micro, seq, lo, hi);
    const sendInputGrads = async (
      micro: number,
      inputs: Values,
      gradOf: (t: tf.Tensor) => tf.Tensor | undefined,
    ) => {
      if (this.stageRank !== 0) return;
      for (const t of this.info.inputs) {
        const x = inputs.get(t)!;
        const g = gradOf(x);
        const data = g === undefined ? new Float32Array(x.size) : (await readFloats([g]))[0]!;
        mailbox.send(t, this.info.stage, "backward", micro, seq, data);
      }
    };
    const inScope = async (body: () => Promise<void>) => {
      tf.engine().startScope();
      try {
        await body();
      } finally {
        tf.engine().endScope();
      }
    };
    const stashed = new Map<number, Values>();
    const lastMicro = async (micro: number) => {
      const [lo, hi] = shardBounds(B, M, micro);
      const inputs = inputsFor(micro, lo, hi);
      this.context(step, lo, hi - lo);
      await inScope(async () => {
        const t = tape(inputs);
        const [, y] = gatherRows(this.parts.train, indices, lo, hi);
        const values = await t.run(this.forwardOps(inputs, hi - lo, true, [this.outputName]));
        const pred = values.get(this.outputName)!;
        const predVar = tf.variable(pred, true);
        let batchSums: tf.Tensor | null = null;
        const { grads: g } = tf.variableGrads(() => {
          const { loss, metrics } = this.scoring.perSample(y, predVar);
          // Kept past the differentiation's own tidy scope; the micro-batch's scope disposes it.
          batchSums = tf.keep(tf.stack([loss, ...metrics].map((m) => tf.sum(m))));
          return tf.div(tf.sum(loss), B) as tf.Scalar;
        }, [predVar]);
        const [batch] = await readFloats([batchSums!]);
        batch!.forEach((v, i) => (sums[i]! += v));
        const restore = this.snapshotStatistics();
        const { weights, gradOf } = await t.backward(new Map([[pred, g[predVar.name]!]]));
        restore();
        predVar.dispose();
        accumulate(weights);
        await sendInputGrads(micro, inputs, gradOf);
      });
      tf.dispose([...inputs.values()]);
    };
    const forwardMicro = async (micro: number) => {
      const [lo, hi] = shardBounds(B, M, micro);
      const inputs = inputsFor(micro, lo, hi);
      this.context(step, lo, hi - lo);
      await inScope(async () => {
        const values = await tape(inputs).run(this.forwardOps(inputs, hi - lo, true, this.outputNames));
        if (this.stageRank !== 0) return;
        for (const o of this.info.outputs) {
          const [data] = await readFloats([values.get(o.tensor)!]);
          for (const to of o.toStages) mailbox.send(o.tensor, to, "forward", micro, seq, data!);
        }
      });
      stashed.set(micro, inputs);
    };
    const backwardMicro = async (micro: number) => {
      const [lo, hi] = shardBounds(B, M, micro);
      const inputs = stashed.get(micro)!;
      stashed.delete(micro);
      this.context(step, lo, hi - lo);
      await inScope(async () => {
        const dys = this.receiveOutputGrads(micro, seq, hi - lo);
        // The forward recomputed (re-materialisation), then its VJP with the gradients received.
        const restore = this.snapshotStatistics();
        const t = tape(inputs);
        const values = await t.run(this.forwardOps(inputs, hi - lo, true, this.outputNames));
        const seeds = new Map(this.info.outputs.map((o, i) => [values.get(o.tensor)!, dys[i]!] as const));
        const { weights, gradOf } = await t.backward(seeds);
        restore();
        accumulate(weights);
        await sendInputGrads(micro, inputs, gradOf);
      });
      tf.dispose([...inputs.values()]);
    };
    for (const { op, micro } of microbatchProgram(
      this.parts.plan.schedule.microbatchOrder,
      this.info.stage,
      this.stageCount,
      M,
    )) {
      if (last) await lastMicro(micro);
      else if (op === "forward") await forwardMicro(micro);
      else await backwardMicro(micro);
    }
    return { lossSum: sums[0]!, metricSums: sums.slice(1) };
  }

  /** `grads[i] += weights(vars[i])` for every variable with a gradient; the sums kept past any scope. */
  private accumulate(grads: tf.Tensor[], weights: ReadonlyMap<string, tf.Tensor>): void {
    this.vars.forEach((v, i) => {
      const g = weights.get(v.name);
      if (g === undefined) return;
      const old = grads[i]!;
      grads[i] = tf.keep(tf.add(old, g));
      old.dispose();
    });
  }

  /** A micro-batch's inputs: its rows of the data (first stage), and the tensors earlier stages sent. */
  private receiveInputs(
    indices: ArrayLike<number>,
    micro: number,
    seq: number,
    lo: number,
    hi: number,
  ): Values {
    const values: Values = new Map();
    if (this.info.stage === 0) {
      const input = this.info.layers.find((l) => l.op === "input")!;
      values.set(input.name, gatherRows(this.parts.train, indices, lo, hi)[0]);
    }
    for (const t of this.info.inputs) {
      const shape = [hi - lo, ...this.shapes.get(t)!];
      const n = shape.reduce((a, b) => a * b, 1);
      const data = this.parts.mailbox.receive(t, this.info.stage, "forward", micro, seq, n);
      values.set(t, tf.tensor(data, shape, "float32"));
    }
    return values;
  }

  /** dy of each stage output for a micro-batch of `rows` rows: the gradients later stages sent, summed. */
  private receiveOutputGrads(micro: number, seq: number, rows: number): tf.Tensor[] {
    return this.info.outputs.map((o) => {
      const shape = [rows, ...this.shapes.get(o.tensor)!];
      const n = shape.reduce((a, b) => a * b, 1);
      const sum = new Float32Array(n);
      for (const to of o.toStages) {
        const part = this.parts.mailbox.receive(o.tensor, to, "backward", micro, seq, n);
        for (let i = 0; i < n; i++) sum[i]! += part[i]!;
      }
      return tf.tensor(sum, shape, "float32");
    });
  }

  /** The recomputed forward must not update batchnorm's moving statistics a second time. */
  private snapshotStatistics(): () => void {
    const saved = this.held.flatMap((h) =>
      (h.layer?.nonTrainableWeights ?? []).map((w) => [w, tf.keep(tf.clone(w.read()))] as const),
    );
    return () => {
      for (const [w, t] of saved) {
        w.write(t);
        t.dispose();
      }
    };
  }
}
