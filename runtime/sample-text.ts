import * as tf from "@tensorflow/tfjs";
import { loadCheckpoint, registerFileRouter } from "./checkpoint/index.js";
import { CounterRandom } from "./data/index.js";

/** A sampling request that cannot be met: a checkpoint without a vocabulary, a prompt it cannot read. */
export class SampleError extends Error {
  override readonly name = "SampleError";
}

export interface SampleOptions {
  readonly prompt: string;
  /** Characters to generate after the prompt. */
  readonly tokens: number;
  /** Divides the log-probabilities before drawing: below 1 sharper, above 1 flatter; 0 takes the likeliest. */
  readonly temperature: number;
  /** Draw among the k likeliest characters only; 0 for all of them. */
  readonly topK: number;
  readonly seed: number;
  /** Called with each character as it is generated. */
  readonly onCharacter?: (character: string) => void;
}

export interface Sample {
  readonly text: string;
  /** The checkpoint folder that was read. */
  readonly checkpoint: string;
}

/**
 * Text from a character-level model (trained on `text(...)` or `moby_dick(...)`, whose checkpoints keep the
 * vocabulary): the prompt, then one character at a time, each drawn from the model's distribution at the last
 * position of the last T characters (T = the model's input length). A window shorter than T is padded after
 * its end: under causal attention no position sees a later one, so the padding changes nothing read. The draws
 * are keyed by (seed, character index): the same seed gives the same text.
 */
export async function sampleText(checkpointDir: string, options: SampleOptions): Promise<Sample> {
  registerFileRouter();
  const { model, meta, dir } = await loadCheckpoint(checkpointDir);
  try {
    const vocabulary = meta["vocabulary"];
    if (!Array.isArray(vocabulary) || !vocabulary.every((c) => typeof c === "string"))
      throw new SampleError(
        `the checkpoint in ${dir} has no vocabulary: \`mgpuc sample\` reads models trained on text(...) or moby_dick(...)`,
      );
    const chars = vocabulary as string[];
    const ids = new Map(chars.map((c, i) => [c, i]));
    const prompt = [...options.prompt];
    if (prompt.length === 0) throw new SampleError("the prompt is empty: give at least one character");
    const unknown = [...new Set(prompt.filter((c) => !ids.has(c)))];
    if (unknown.length > 0)
      throw new SampleError(
        `the prompt has ${unknown.length === 1 ? "a character" : "characters"} the model never saw: ` +
          `${unknown.map((c) => JSON.stringify(c)).join(", ")}; its ${chars.length} characters are ` +
          JSON.stringify(chars.join("")),
      );
    const length = model.inputs[0]!.shape[1];
    const classes = model.outputs[0]!.shape.at(-1);
    if (
      model.inputs[0]!.shape.length !== 2 ||
      typeof length !== "number" ||
      (classes !== undefined && classes !== null && classes < chars.length)
    )
      throw new SampleError(
        `the model in ${dir} does not read a sequence of characters and score each position`,
      );
    const sequence = prompt.map((c) => ids.get(c)!);
    const random = new CounterRandom(options.seed, "sample");
    let text = options.prompt;
    for (let i = 0; i < options.tokens; i++) {
      const window = sequence.slice(-length);
      const input = new Float32Array(length);
      input.set(window);
      const probabilities = tf.tidy(() => {
        const out = model.predict(tf.tensor2d(input, [1, length], "int32")) as tf.Tensor;
        return tf.slice(out, [0, window.length - 1, 0], [1, 1, chars.length]).dataSync() as Float32Array;
      });
      const next = draw(probabilities, options, random.uniform(i));
      sequence.push(next);
      text += chars[next]!;
      options.onCharacter?.(chars[next]!);
    }
    return { text, checkpoint: dir };
  } finally {
    model.dispose();
  }
}

/** One character id from the model's probabilities, under temperature and top-k; `u` uniform in [0, 1). */
export function draw(
  probabilities: ArrayLike<number>,
  options: Pick<SampleOptions, "temperature" | "topK">,
  u: number,
): number {
  const n = probabilities.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => probabilities[b]! - probabilities[a]! || a - b,
  );
  if (options.temperature === 0) return order[0]!;
  const kept = options.topK > 0 ? order.slice(0, options.topK) : order;
  // p^(1/T), scaled by the largest first so that small temperatures do not underflow.
  const top = Math.log(Math.max(probabilities[kept[0]!]!, 1e-30));
  const weights = kept.map((i) =>
    Math.exp((Math.log(Math.max(probabilities[i]!, 1e-30)) - top) / options.temperature),
  );
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let j = 0; j < kept.length; j++) {
    acc += weights[j]! / total;
    if (u < acc) return kept[j]!;
  }
  return kept.at(-1)!;
}
