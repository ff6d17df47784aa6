import * as tf from "@tensorflow/tfjs";

type Config = tf.serialization.ConfigDict;

export interface PositionEmbeddingArgs {
  readonly name?: string;
  /** Rows of the table: the longest sequence the layer accepts. */
  readonly maxLength: number;
}

/**
 * What `position_embedding(max_length)` compiles to: a learned [max_length, d] table whose first T rows, one
 * per position, it returns for every sample of a [batch, T, d] input (keras_hub `PositionEmbedding`). The
 * input gives only the shape; the model adds the result itself.
 */
export class PositionEmbedding extends tf.layers.Layer {
  static readonly className = "MgpucPositionEmbedding";
  private readonly maxLength: number;
  private table: tf.LayerVariable | null = null;

  constructor(args: PositionEmbeddingArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.maxLength = args.maxLength;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    // Named so that it is not taken for a token embedding: initialised as keras_hub does (glorot uniform).
    this.table = this.addWeight(
      "position_embeddings",
      [this.maxLength, shape.at(-1)!],
      "float32",
      tf.initializers.glorotUniform({}),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const [b, t, d] = x.shape as [number, number, number];
      const rows = tf.slice(this.table!.read(), [0, 0], [t, d]);
      return tf.broadcastTo(tf.expandDims(rows, 0), [b, t, d]);
    });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), maxLength: this.maxLength };
  }
}

tf.serialization.registerClass(PositionEmbedding);
