/**
 * A counter-based generator: value i of stream (seed, name) is a pure hash of (seed, name, i). Nothing is
 * carried from one draw to the next, so every worker, backend and device count draws the same numbers for the
 * same weight, sample or epoch, in any order.
 */
export class CounterRandom {
  private readonly k0: number;
  private readonly k1: number;

  constructor(seed: number, stream: string) {
    const text = `${seed}\u0000${stream}`;
    this.k0 = fnv1a(text, 0x811c9dc5);
    this.k1 = fnv1a(text, 0x050c5d1f) ^ 0x9e3779b9;
  }

  /** A uniform 32-bit unsigned integer for counter i (0 <= i < 2^32). */
  uint32(i: number): number {
    const a = mix32((i + this.k0) >>> 0);
    return mix32((a ^ this.k1) + 0x9e3779b9);
  }

  /** Uniform in [0, 1), 24 random bits: exactly representable in float32. */
  uniform(i: number): number {
    return (this.uint32(i) >>> 8) / 16777216;
  }

  /** A standard normal (Box–Muller on counters 2i, 2i+1). */
  normal(i: number): number {
    const u1 = (this.uniform(2 * i) * 16777216 + 1) / 16777217;
    const u2 = this.uniform(2 * i + 1);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** An integer in [0, n) (n <= 2^32), without modulo bias worth mentioning for n << 2^32. */
  below(i: number, n: number): number {
    return Math.floor((this.uint32(i) / 4294967296) * n);
  }
}

function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  const bytes = Buffer.from(text, "utf8");
  for (const byte of bytes) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return mix32(h);
}

/** A 32-bit finaliser (lowbias32, Wellons): every input bit affects every output bit. */
function mix32(input: number): number {
  let x = input >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
