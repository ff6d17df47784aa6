import * as tf from "@tensorflow/tfjs";

/**
 * The wasm backend's BatchMatMul is fast only without transposes: measured here, [16×5408]ᵀ·[16×128] takes
 * ~28 ms with `transposeA` and ~1 ms as an explicit transpose followed by a plain matMul. Every dense layer's
 * backward pass uses the transposed forms, so wrapping the kernel speeds training several times over (plain
 * `model.fit` included: the kernel registry is global). Results are identical: the same products, summed in
 * the same order by the same kernel.
 */
let wrapped = false;

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
  return tf.transpose(t, perm);
}

export function registerUntransposedMatMul(): void {
  if (wrapped) return;
  wrapped = true;
  for (const kernelName of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(kernelName, "wasm");
    if (original === undefined) continue;
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
        if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
        const inputs = args.inputs as unknown as Record<string, tf.Tensor>;
        const temporaries: tf.Tensor[] = [];
        const flip = (name: string, flag: boolean | undefined) => {
          const t = inputs[name]!;
          if (!flag) return t;
          const flipped = swapLastTwo(t);
          temporaries.push(flipped);
          return flipped;
        };
        const result = original.kernelFunc({
          ...args,
          inputs: { ...inputs, a: flip("a", attrs.transposeA), b: flip("b", attrs.transposeB) },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        });
        tf.dispose(temporaries);
        return result;
      },
    });
  }
}
