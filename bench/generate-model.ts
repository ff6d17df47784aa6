/** Generated models for the benchmarks that time the front end and the whole compiler on very large models. */

/** A model written out layer by layer (no `repeat`), mixing bindings, chains, hints and a block call. */
export function generateModel(layers: number): string {
  const lines = [
    "block mix(x, units: int) {",
    "  dense(units) -> relu",
    "  add(_, x)",
    "}",
    "model Big {",
    "  input x: [64]",
  ];
  let count = 1;
  for (let i = 0; count < layers; i++) {
    const left = layers - count;
    if (i % 50 === 49 && left >= 3) {
      lines.push(`  mix(_, 64) @data // block call ${i}`);
      count += 3;
    } else if (left >= 3) {
      lines.push(
        `  h${i} = dense(64, activation: relu, use_bias: true)`,
        `  dropout(0.1) -> layernorm(epsilon: 1e-3)`,
      );
      lines.push(`  add(h${i}, _) @model @stage(0);`);
      count += 4;
      if (count > layers) throw new Error("overshoot");
    } else {
      lines.push("  relu");
      count += 1;
    }
  }
  lines.push(
    "}",
    "train Big { data: synthetic(samples: 64, classes: 64) loss: sparse_categorical_crossentropy }",
  );
  return `${lines.join("\n")}\n`;
}
