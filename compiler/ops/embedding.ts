import { arg } from "./arg-schema.js";
import type { OpSpec } from "./op-spec.js";
import { numAttr, only } from "./shape-utils.js";

/**
 * `embedding(input_dim, output_dim)`: Keras `Embedding`; int token ids [n] → [n, output_dim].
 * Normalised attrs: `{ input_dim: int, output_dim: int }`.
 */
export const embedding = {
  name: "embedding",
  keras: "Embedding",
  tensorInputs: "one",
  args: [
    arg.required("input_dim", { kind: "int", min: 1 }),
    arg.required("output_dim", { kind: "int", min: 1 }),
  ],
  // Megatron's vocabulary-parallel embedding: each device holds a block of the table's rows.
  sharding: { kind: "vocabulary", attr: "input_dim", cuts: { embeddings: 0 } },
  infer(input) {
    const shape = only(input);
    const vocab = numAttr(input.attrs, "input_dim");
    const width = numAttr(input.attrs, "output_dim");
    return { shape: [...shape, width], params: { trainable: vocab * width, nonTrainable: 0 }, flops: 0 };
  },
} satisfies OpSpec<"embedding">;
