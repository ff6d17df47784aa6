import * as tf from "@tensorflow/tfjs";
import { allReduceSumOp } from "./all-reduce-op.js";
import { stepContext } from "./step-context.js";

type Kwargs = Record<string, unknown>;
type Config = tf.serialization.ConfigDict;

/**
 * Keras BatchNormalization whose training-mode statistics are over the GLOBAL batch: per-replica sums are
 * all-reduced (a differentiable all-reduce, so the backward pass reduces its sums too). Same config and same
 * weights in the same order as BatchNormalization, so a model moves between the two by renaming the class.
 * Only the last axis (channels-last) is supported, which is what mgpuc and Keras models use.
 */
export class SyncBatchNormalization extends tf.layers.Layer {
  static readonly className = "SyncBatchNormalization";
  private readonly config: Config;
  private readonly momentum: number;
  private readonly epsilon: number;
  private readonly center: boolean;
  private readonly scale: boolean;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;
  private movingMean: tf.LayerVariable | null = null;
  private movingVariance: tf.LayerVariable | null = null;

  constructor(config: Config) {
    super(config as tf.serialization.ConfigDict & { name?: string });
    this.config = config;
    this.momentum = typeof config["momentum"] === "number" ? config["momentum"] : 0.99;
    this.epsilon = typeof config["epsilon"] === "number" ? config["epsilon"] : 1e-3;
    this.center = config["center"] !== false;
    this.scale = config["scale"] !== false;
    const axis = config["axis"];
    if (axis !== undefined && axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
      // A positive axis is fine when it is the last one; checked in build where the rank is known.
      this.axisSetting = typeof axis === "number" ? axis : Array.isArray(axis) ? Number(axis[0]) : -1;
    }
  }

  private axisSetting = -1;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const axis = this.axisSetting < 0 ? shape.length + this.axisSetting : this.axisSetting;
    if (axis !== shape.length - 1) throw new Error("SyncBatchNormalization supports the last axis only");
    const dim = shape[axis] as number;
    const init = (name: string) => tf.initializers[name === "ones" ? "ones" : "zeros"]();
    if (this.scale) this.gamma = this.addWeight("gamma", [dim], "float32", init("ones"), undefined, true);
    if (this.center) this.beta = this.addWeight("beta", [dim], "float32", init("zeros"), undefined, true);
    this.movingMean = this.addWeight("moving_mean", [dim], "float32", init("zeros"), undefined, false);
    this.movingVariance = this.addWeight("moving_variance", [dim], "float32", init("ones"), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const gamma = this.gamma?.read();
      const beta = this.beta?.read();
      if (kwargs["training"] !== true) {
        return tf.batchNorm(
          x,
          this.movingMean!.read(),
          this.movingVariance!.read(),
          beta,
          gamma,
          this.epsilon,
        );
      }
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const perSample = x.shape.slice(1, -1).reduce((a, b) => a * b, 1);
      const count =
        stepContext().globalBatch > 0 ? stepContext().globalBatch * perSample : x.size / x.shape.at(-1)!;
      const mean = tf.div(allReduceSumOp(tf.sum(x, axes)), count);
      // As tf.moments computes it, so that one replica matches plain BatchNormalization.
      const centred = tf.square(tf.sub(x, mean));
      const variance = tf.div(allReduceSumOp(tf.sum(centred, axes)), count);
      const out = tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
      this.updateMoving(this.movingMean!, mean);
      this.updateMoving(this.movingVariance!, variance);
      return out;
    });
  }

  /** Exactly tfjs BatchNormalization's update, so one device matches plain tfjs bit for bit. */
  private updateMoving(variable: tf.LayerVariable, value: tf.Tensor): void {
    tf.tidy(() => {
      const orig = variable.read();
      variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - this.momentum)));
    });
  }

  override getConfig(): Config {
    return { ...this.config, ...super.getConfig() };
  }
}

tf.serialization.registerClass(SyncBatchNormalization);
