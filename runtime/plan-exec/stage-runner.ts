import * as tf from "@tensorflow/tfjs";
import type { Loss } from "../../compiler/ir/config.js";
import { type Plan, microbatchProgram } from "../../compiler/plan/index.js";
import { scoresOnShards } from "../../compiler/plan/sharded-loss.js";
import { classIdLabels } from "../worker/labels.js";
import { type Collective, LocalCollective } from "../collectives/index.js";
import { setStepContext } from "../layers/index.js";
import { Scoring } from "../worker/scoring.js";
import { shardBounds } from "../worker/shards.js";
import { sumGradients, gatherBlocks, reduceBlocks } from "./block-ops.js";
import type { ForwardOp } from "./forward-op.js";
import type { PointToPoint } from "./mailbox.js";
import { type DataView, gatherRows } from "../worker/shared-dataset.js";
import { type HeldLayer, holdLayer } from "./stage-layers.js";
import { type LayerRole, type StageInfo, roleOf, stagesOf } from "./stage-layout.js";
import { shardedScores } from "./sharded-scoring.js";
import { type Values, stageForwardOps } from "./stage-forward.js";

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
  readonly outputName: string;
  /** Tensors sent to later stages. */
  readonly outputNames: string[];
  /** Every layer's output shape (per sample). */
  readonly shapes: Map<string, readonly number[]>;
  readonly microbatches: number;
  /** The loss and metrics, scored by the last stage on the model's output. */
  readonly scoring: Scoring;
  /**
   * The output layer's role where the last stage scores the loss on its class blocks, never gathering the
   * whole output (`scoresOnShards`, compiler/plan/sharded-loss.ts); else null.
   */
  readonly shardedOutput: LayerRole | null;

  constructor(readonly parts: RunnerParts) {
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
    const last = this.info.stage === this.stageCount - 1;
    if (last) this.scoring.checkLabels(parts.train.labelShape, parts.train.y instanceof Int32Array);
    const output = this.held.find((h) => h.role.layer.name === this.outputName)?.role;
    this.shardedOutput =
      last && output !== undefined && scoresOnShards(output.layer, parts.loss, parts.metrics) ? output : null;
  }

  /**
   * The last stage's forward pass and its scores on the output's class blocks (`shardedOutput`), as forward
   * ops for either driver: per-sample loss and metrics `[rows]` of every row of the micro-batch.
   */
  *shardedPass(
    inputs: Values,
    rows: number,
    y: tf.Tensor,
    training: boolean,
  ): Generator<ForwardOp, { loss: tf.Tensor1D; metrics: tf.Tensor1D[] }, tf.Tensor> {
    const role = this.shardedOutput!;
    const name = this.outputName;
    const values = yield* stageForwardOps(this, inputs, rows, training, [name], name);
    const shape = [rows, ...this.shapes.get(name)!];
    const d = role.rowSliced ? role.dataDegree : 1;
    const { loss, accuracy } = yield* shardedScores(
      {
        logits: values.get(name)!,
        rows,
        classes: shape.at(-1)!,
        dataDegree: d,
        modelDegree: role.modelDegree,
        blocks: role.blocks.map(([r, c]) => [d > 1 ? r : 0, c] as const),
        rank: this.stageRank,
      },
      classIdLabels(y, shape, `loss ${this.parts.loss}`),
      this.scoring.metrics.length > 0,
    );
    return { loss, metrics: this.scoring.metrics.map(() => accuracy!) };
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
    return this.drive(stageForwardOps(this, inputs, rows, training, wanted));
  }

  /** Forward ops run to their end in this thread, inside tfjs's tape. */
  private drive<T>(ops: Generator<ForwardOp, T, tf.Tensor>): T {
    let next = ops.next();
    while (!next.done) next = ops.next(this.runForwardOp(next.value));
    return next.value;
  }

  /** One forward op as the synchronous path runs it: gathers and gradient sums as differentiable tfjs ops. */
  private runForwardOp(op: ForwardOp): tf.Tensor {
    switch (op.kind) {
      case "apply": {
        const y = op.fn(op.inputs);
        // A fresh tensor of the same values: the tape has no path back through it.
        return op.constant === true ? tf.tensor(y.dataSync(), y.shape, y.dtype) : y;
      }
      case "gather":
        return gatherBlocks(op.x, op.grid, this.parts.collective, this.stageRank);
      case "reduce":
        return reduceBlocks(op.x, op.grid, this.parts.collective, this.stageRank);
      case "sum":
        return sumGradients(op.x, this.parts.collective);
    }
  }

  context(step: number, lo: number, rows: number): void {
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
          const all = new Map([...inputs, ...inVars]);
          const { loss, metrics } =
            this.shardedOutput !== null
              ? this.drive(this.shardedPass(all, hi - lo, y, true))
              : this.scoring.perSample(
                  y,
                  this.forward(all, hi - lo, true, [this.outputName]).get(this.outputName)!,
                );
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

  /** `grads[i] += weights(vars[i])` for every variable with a gradient; the sums kept past any scope. */
  accumulate(grads: tf.Tensor[], weights: ReadonlyMap<string, tf.Tensor>): void {
    this.vars.forEach((v, i) => {
      const g = weights.get(v.name);
      if (g === undefined) return;
      const old = grads[i]!;
      grads[i] = tf.keep(tf.add(old, g));
      old.dispose();
    });
  }

  /** A micro-batch's inputs: its rows of the data (first stage), and the tensors earlier stages sent. */
  receiveInputs(indices: ArrayLike<number>, micro: number, seq: number, lo: number, hi: number): Values {
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
  receiveOutputGrads(micro: number, seq: number, rows: number): tf.Tensor[] {
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
  snapshotStatistics(): () => void {
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
