import * as tf from "@tensorflow/tfjs";
import { CounterRandom } from "../data/counter-random.js";
import { stepContext } from "./step-context.js";

type Kwargs = Record<string, unknown>;
type Config = tf.serialization.ConfigDict;

/**
 * The mask of element j of global-batch row g at step s of layer L: keep when
 * CounterRandom(seed, `dropout/L/s`).uniform(g · elements + j) ≥ rate. Nothing depends on which replica holds
 * row g, nor (given `channels`, the block's place in the whole last axis) which device holds which channels,
 * so N devices drop exactly what one device drops.
 */
export function dropoutMask(
  layer: string,
  seed: number,
  step: number,
  rate: number,
  firstRow: number,
  rows: number,
  elements: number,
  channels?: { readonly offset: number; readonly total: number; readonly width: number },
): Float32Array {
  const random = new CounterRandom(seed, `dropout/${layer}/${step}`);
  const mask = new Float32Array(rows * elements);
  const keep = 1 / (1 - rate);
  // j of a block of `width` channels is element (j ÷ width)·total + offset + j mod width of the whole row.
  const width = channels?.width ?? 1;
  const total = channels?.total ?? 1;
  const offset = channels?.offset ?? 0;
  const wholeElements = (elements / width) * total;
  for (let r = 0; r < rows; r++) {
    const base = (firstRow + r) * wholeElements;
    const out = r * elements;
    if (channels === undefined) {
      for (let j = 0; j < elements; j++) mask[out + j] = random.uniform(base + j) >= rate ? keep : 0;
      continue;
    }
    for (let j = 0; j < elements; j++) {
      const whole = Math.floor(j / width) * total + offset + (j % width);
      mask[out + j] = random.uniform(base + whole) >= rate ? keep : 0;
    }
  }
  return mask;
}

/** Keras Dropout (inverted dropout, identity at inference) with the counter-based mask above. */
export class CounterDropout extends tf.layers.Layer {
  static readonly className = "CounterDropout";
  private readonly config: Config;
  private readonly rate: number;

  constructor(config: Config) {
    super(config as tf.serialization.ConfigDict & { name?: string });
    this.config = config;
    this.rate = typeof config["rate"] === "number" ? config["rate"] : 0;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs["training"] !== true || this.rate <= 0) return tf.clone(x);
    const ctx = stepContext();
    const rows = x.shape[0]!;
    const elements = x.size / Math.max(rows, 1);
    const channels = ctx.channels === undefined ? undefined : { ...ctx.channels, width: x.shape.at(-1) ?? 1 };
    const mask = dropoutMask(
      this.name,
      ctx.seed,
      ctx.step,
      this.rate,
      ctx.shardOffset,
      rows,
      elements,
      channels,
    );
    return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, "float32")));
  }

  override getConfig(): Config {
    return { ...this.config, ...super.getConfig() };
  }
}

tf.serialization.registerClass(CounterDropout);
