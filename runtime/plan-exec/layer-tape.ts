import * as tf from "@tensorflow/tfjs";
import type { Collective } from "../collectives/index.js";
import { readFloats } from "../backend/read-floats.js";
import { assembleBlocks, blockBox, reduceBlocksForward, rowsOf } from "./block-ops.js";
import type { ForwardOp } from "./forward-op.js";

/** A recorded op: `output` from `inputs`; `vjp` maps dy(output) to dy(inputs) and dy(weights). */
interface Node {
  readonly inputs: readonly tf.Tensor[];
  readonly output: tf.Tensor;
  vjp(dy: tf.Tensor): Promise<{ inputs: (tf.Tensor | undefined)[]; weights: tf.NamedTensorMap }>;
}

/**
 * A stage's forward pass run op by op (`stageForwardOps`, stage-forward.ts), and its backward, where tfjs's tape cannot
 * hold the collectives: on a backend that reads tensors back only asynchronously (tfjs-backend-webgpu in Node),
 * a gather needs `await data()` in the middle of the forward, and a gradient sum in the middle of the backward.
 * So each op is its own tape: the forward records it; the backward walks the record in reverse, taking each
 * `apply` op's vector-Jacobian product by recomputing it under `tf.variableGrads` (weights and inputs as
 * variables), a gather's as the slice of dy its block came from, and a sum's as dy all-reduced over the stage.
 * The results equal one tape's up to float rounding: the same ops, on the same values, in the same order.
 */
export class LayerTape {
  private readonly nodes: Node[] = [];
  /** Tensors no gradient flows to (the stage's data input) and those computed from them alone. */
  private readonly constants = new Set<tf.Tensor>();

  constructor(
    private readonly collective: Collective,
    private readonly rank: number,
    /** The stage's trainable weights: every `apply` op's gradients are taken with respect to them. */
    private readonly weights: readonly tf.Variable[],
  ) {}

  /** Marks `t` as data: no gradient is taken for it, nor for what is computed from it alone. */
  constant(t: tf.Tensor): void {
    this.constants.add(t);
  }

  /** Runs a forward-op sequence to its end, recording every op; returns what the sequence returns. */
  async run<T>(ops: Generator<ForwardOp, T, tf.Tensor>): Promise<T> {
    let next = ops.next();
    while (!next.done) next = ops.next(await this.exec(next.value));
    return next.value;
  }

  private async exec(op: ForwardOp): Promise<tf.Tensor> {
    const inputs = op.kind === "apply" ? op.inputs : [op.x];
    const weighted = op.kind === "apply" && op.weighted;
    if (op.kind === "apply" && op.constant === true) {
      const output = op.fn(op.inputs);
      this.constants.add(output);
      return output;
    }
    if (!weighted && inputs.every((x) => this.constants.has(x))) {
      // Data only (a slice of the input batch, say): computed, not recorded.
      const output = op.kind === "apply" ? op.fn(op.inputs) : await this.constantOp(op);
      this.constants.add(output);
      return output;
    }
    switch (op.kind) {
      case "apply": {
        const output = op.fn(op.inputs);
        this.nodes.push({ inputs: op.inputs, output, vjp: (dy) => this.applyVjp(op, dy) });
        return output;
      }
      case "gather": {
        const [local] = await readFloats([op.x]);
        const out = new Float32Array(op.grid.shape.reduce((a, b) => a * b, 1));
        this.collective.allGather(local!, out);
        const output = assembleBlocks(op.grid, out);
        const [d, m] = op.grid.blocks[this.rank]!;
        const { begin, size } = blockBox(op.grid, d, m);
        this.nodes.push({
          inputs: [op.x],
          output,
          vjp: (dy) => Promise.resolve({ inputs: [tf.slice(dy, begin, size)], weights: {} }),
        });
        return output;
      }
      case "reduce": {
        const [local] = await readFloats([op.x]);
        const output = reduceBlocksForward(local!, op.grid, this.rank, this.collective);
        const grid = op.grid;
        this.nodes.push({
          inputs: [op.x],
          output,
          vjp: (dy) => Promise.resolve({ inputs: [rowsOf(dy, grid, this.rank)], weights: {} }),
        });
        return output;
      }
      case "sum": {
        const output = tf.clone(op.x);
        this.nodes.push({
          inputs: [op.x],
          output,
          vjp: async (dy) => {
            if (this.collective.size === 1) return { inputs: [dy], weights: {} };
            const [data] = await readFloats([dy]);
            this.collective.allReduceSum(data!);
            return { inputs: [tf.tensor(data!, dy.shape, "float32")], weights: {} };
          },
        });
        return output;
      }
    }
  }

  /** A gather or sum of data: its forward alone. */
  private async constantOp(
    op: Extract<ForwardOp, { kind: "gather" | "reduce" | "sum" }>,
  ): Promise<tf.Tensor> {
    if (op.kind === "sum") return tf.clone(op.x);
    const [local] = await readFloats([op.x]);
    if (op.kind === "reduce") return reduceBlocksForward(local!, op.grid, this.rank, this.collective);
    const out = new Float32Array(op.grid.shape.reduce((a, b) => a * b, 1));
    this.collective.allGather(local!, out);
    return assembleBlocks(op.grid, out);
  }

  /** The op recomputed from its inputs as variables: Σ fn(x)·dy differentiated by the weights and the inputs. */
  private applyVjp(
    op: Extract<ForwardOp, { kind: "apply" }>,
    dy: tf.Tensor,
  ): Promise<{ inputs: (tf.Tensor | undefined)[]; weights: tf.NamedTensorMap }> {
    // Data and integer inputs (token ids) have no gradient: passed as they are.
    const vars = op.inputs.map((x) =>
      x.dtype === "float32" && !this.constants.has(x) ? tf.variable(x, true) : null,
    );
    const grads = tf.variableGrads(
      () => tf.sum(tf.mul(op.fn(op.inputs.map((x, i) => vars[i] ?? x)), dy)) as tf.Scalar,
      [...this.weights, ...vars.filter((v): v is tf.Variable => v !== null)],
    ).grads;
    const inputs = vars.map((v) => (v === null ? undefined : grads[v.name]));
    const weights: tf.NamedTensorMap = {};
    for (const w of this.weights) if (grads[w.name]) weights[w.name] = grads[w.name]!;
    for (const v of vars) v?.dispose();
    return Promise.resolve({ inputs, weights });
  }

  /**
   * The backward pass from `seeds` (dy of some outputs): the weights' gradients by name, and dy of every
   * tensor that received one (`gradOf`), for the inputs from earlier stages.
   */
  async backward(seeds: ReadonlyMap<tf.Tensor, tf.Tensor>): Promise<{
    weights: Map<string, tf.Tensor>;
    gradOf: (t: tf.Tensor) => tf.Tensor | undefined;
  }> {
    const dys = new Map(seeds);
    const weights = new Map<string, tf.Tensor>();
    const add = <K>(map: Map<K, tf.Tensor>, key: K, g: tf.Tensor): void => {
      const old = map.get(key);
      map.set(key, old === undefined ? g : tf.add(old, g));
    };
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i]!;
      const dy = dys.get(node.output);
      if (dy === undefined) continue;
      const g = await node.vjp(dy);
      g.inputs.forEach((gi, k) => {
        if (gi !== undefined) add(dys, node.inputs[k]!, gi);
      });
      for (const [name, gw] of Object.entries(g.weights)) add(weights, name, gw);
    }
    return { weights, gradOf: (t) => dys.get(t) };
  }
}
