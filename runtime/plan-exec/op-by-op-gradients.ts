import * as tf from "@tensorflow/tfjs";
import { microbatchProgram } from "../../compiler/plan/index.js";
import { readFloats } from "../backend/read-floats.js";
import { gatherRows } from "../worker/shared-dataset.js";
import { shardBounds } from "../worker/shards.js";
import { LayerTape } from "./layer-tape.js";
import { type Values, stageForwardOps } from "./stage-forward.js";
import type { StageRunner } from "./stage-runner.js";

/**
 * `StageRunner.gradients` on a backend that reads tensors back only asynchronously (WebGPU): the same micro-batch program,
 * each micro-batch's forward and backward run op by op by a `LayerTape` (collectives between ops, not inside
 * a tape). Tensors live in one engine scope per micro-batch: nothing else runs in this process meanwhile.
 */
export async function opByOpGradients(
  runner: StageRunner,
  step: number,
  indices: ArrayLike<number>,
  grads: tf.Tensor[],
): Promise<{ lossSum: number; metricSums: number[] }> {
  const B = indices.length;
  const M = Math.min(runner.microbatches, B);
  const seq = step + 1;
  const { mailbox, collective } = runner.parts;
  const first = runner.info.stage === 0;
  const last = runner.info.stage === runner.stageCount - 1;
  const sums = new Array<number>(runner.scoring.width).fill(0);
  const inputName = runner.info.layers.find((l) => l.op === "input")?.name;
  /** A tape for one micro-batch's pass: the data batch is no variable (the float ids of an embedding). */
  const tape = (inputs: Values) => {
    const t = new LayerTape(collective, runner.stageRank, runner.vars);
    if (first && inputName !== undefined) t.constant(inputs.get(inputName)!);
    return t;
  };
  const accumulate = (weights: ReadonlyMap<string, tf.Tensor>) => runner.accumulate(grads, weights);
  const inputsFor = (micro: number, lo: number, hi: number) =>
    runner.receiveInputs(indices, micro, seq, lo, hi);
  const sendInputGrads = async (
    micro: number,
    inputs: Values,
    gradOf: (t: tf.Tensor) => tf.Tensor | undefined,
  ) => {
    if (runner.stageRank !== 0) return;
    for (const t of runner.info.inputs) {
      const x = inputs.get(t)!;
      const g = gradOf(x);
      const data = g === undefined ? new Float32Array(x.size) : (await readFloats([g]))[0]!;
      mailbox.send(t, runner.info.stage, "backward", micro, seq, data);
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
    runner.context(step, lo, hi - lo);
    await inScope(async () => {
      const t = tape(inputs);
      const [, y] = gatherRows(runner.parts.train, indices, lo, hi);
      if (runner.shardedOutput !== null) {
        // Scored on the output's class blocks: the loss's collectives are ops of the tape too.
        const { loss, metrics } = await t.run(runner.shardedPass(inputs, hi - lo, y, true));
        const [batch] = await readFloats([tf.stack([loss, ...metrics].map((m) => tf.sum(m)))]);
        batch!.forEach((v, i) => (sums[i]! += v));
        const restore = runner.snapshotStatistics();
        const { weights, gradOf } = await t.backward(new Map([[loss, tf.fill(loss.shape, 1 / B)]]));
        restore();
        accumulate(weights);
        await sendInputGrads(micro, inputs, gradOf);
        return;
      }
      const values = await t.run(stageForwardOps(runner, inputs, hi - lo, true, [runner.outputName]));
      const pred = values.get(runner.outputName)!;
      const predVar = tf.variable(pred, true);
      let batchSums: tf.Tensor | null = null;
      const { grads: g } = tf.variableGrads(() => {
        const { loss, metrics } = runner.scoring.perSample(y, predVar);
        // Kept past the differentiation's own tidy scope; the micro-batch's scope disposes it.
        batchSums = tf.keep(tf.stack([loss, ...metrics].map((m) => tf.sum(m))));
        return tf.div(tf.sum(loss), B) as tf.Scalar;
      }, [predVar]);
      const [batch] = await readFloats([batchSums!]);
      batch!.forEach((v, i) => (sums[i]! += v));
      const restore = runner.snapshotStatistics();
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
    runner.context(step, lo, hi - lo);
    await inScope(async () => {
      const values = await tape(inputs).run(
        stageForwardOps(runner, inputs, hi - lo, true, runner.outputNames),
      );
      if (runner.stageRank !== 0) return;
      for (const o of runner.info.outputs) {
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
    runner.context(step, lo, hi - lo);
    await inScope(async () => {
      const dys = runner.receiveOutputGrads(micro, seq, hi - lo);
      // The forward recomputed (re-materialisation), then its VJP with the gradients received.
      const restore = runner.snapshotStatistics();
      const t = tape(inputs);
      const values = await t.run(stageForwardOps(runner, inputs, hi - lo, true, runner.outputNames));
      const seeds = new Map(runner.info.outputs.map((o, i) => [values.get(o.tensor)!, dys[i]!] as const));
      const { weights, gradOf } = await t.backward(seeds);
      restore();
      accumulate(weights);
      await sendInputGrads(micro, inputs, gradOf);
    });
    tf.dispose([...inputs.values()]);
  };
  for (const { op, micro } of microbatchProgram(
    runner.parts.plan.schedule.microbatchOrder,
    runner.info.stage,
    runner.stageCount,
    M,
  )) {
    if (last) await lastMicro(micro);
    else if (op === "forward") await forwardMicro(micro);
    else await backwardMicro(micro);
  }
  return { lossSum: sums[0]!, metricSums: sums.slice(1) };
}
