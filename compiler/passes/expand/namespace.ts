/**
 * Keras-style unique layer names within one naming level: `dense`, `dense_1`, `dense_2`... A block call opens
 * a nested level, so its layers are `residual/conv2d`, `residual_1/conv2d`. Counters are per base name, so
 * naming is linear in the number of layers.
 */
export class Namespace {
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(readonly prefix: string) {}

  fresh(base: string): string {
    let n = this.counters.get(base) ?? 0;
    let name = n === 0 ? base : `${base}_${n}`;
    while (this.used.has(name)) name = `${base}_${++n}`;
    this.counters.set(base, n + 1);
    this.used.add(name);
    return this.prefix + name;
  }

  child(base: string): Namespace {
    return new Namespace(`${this.fresh(base)}/`);
  }
}
