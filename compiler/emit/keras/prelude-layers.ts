import { piecesOf } from "../python/prelude.js";

/**
 * The Keras layers a `.model` file may use that `tf.keras.layers` has no one-input form of: self-attention
 * (Keras's own `MultiHeadAttention`, called with the input as query, key and value) and a learned position
 * table (keras_hub's `PositionEmbedding`, written out so the program needs only TensorFlow). A program carries
 * one only when its model uses it (`KERAS_LAYERS` rows name them).
 */
const KERAS_LAYERS_PRELUDE = String.raw`
class SelfAttention(tf.keras.layers.Layer):
    """mgpuc's attention: Keras MultiHeadAttention(x, x), causal when asked (use_causal_mask)."""

    def __init__(self, heads, key_dim, value_dim=None, causal=False, dropout=0.0, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.settings = dict(
            heads=heads, key_dim=key_dim, value_dim=value_dim, causal=causal, dropout=dropout, use_bias=use_bias
        )
        self.attention = tf.keras.layers.MultiHeadAttention(
            heads, key_dim, value_dim=value_dim, dropout=dropout, use_bias=use_bias, name="attention"
        )

    def call(self, x, training=None):
        return self.attention(x, x, use_causal_mask=self.settings["causal"], training=training)

    def get_config(self):
        return {**super().get_config(), **self.settings}


class PositionEmbedding(tf.keras.layers.Layer):
    """keras_hub's PositionEmbedding: the first T rows of a learned [max_length, d] table, for every sample."""

    def __init__(self, max_length, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def build(self, input_shape):
        self.position_embeddings = self.add_weight(
            name="position_embeddings", shape=(self.max_length, input_shape[-1]), initializer="glorot_uniform"
        )

    def call(self, x):
        rows = self.position_embeddings[: tf.shape(x)[1]]
        return tf.broadcast_to(rows[tf.newaxis], tf.shape(x))

    def get_config(self):
        return {**super().get_config(), "max_length": self.max_length}
`;

export const KERAS_LAYER_PIECES = piecesOf(
  KERAS_LAYERS_PRELUDE,
  { SelfAttention: {}, PositionEmbedding: {} },
  "compiler/emit/keras/prelude-layers.ts",
);
